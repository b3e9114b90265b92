package io.taps.internal.establish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.protocol.ProtocolRegistry;
import io.taps.internal.selection.BuiltInStacks;
import io.taps.properties.MultipathMode;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Listener asks whether a stack is usable only when that stack would listen: the first usable
 * stack of each port space (issue 21: a TCP Listener does not load MPTCP's JNA or QUIC's quiche),
 * with the list and the errors that cutting {@link StackSelection#rank} per port space gives.
 */
class ListeningStacksTest {

    /** A stack that records whether selection asked it, usable or not as told. */
    private static final class Recording implements ProtocolStack {
        private final StackCapabilities capabilities;
        private final String portSpace;
        private final String unusable;
        int asked;

        Recording(StackCapabilities capabilities, String portSpace, String unusable) {
            this.capabilities = capabilities;
            this.portSpace = portSpace;
            this.unusable = unusable;
        }

        @Override
        public StackCapabilities capabilities() {
            return capabilities;
        }

        @Override
        public Optional<String> unusableReason(StackUse use) {
            asked++;
            return Optional.ofNullable(unusable);
        }

        @Override
        public void connect(StackAttempt attempt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StackListener listen(StackBinding binding) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String portSpace() {
            return portSpace;
        }
    }

    private static StackCapabilities tcpLike(String name) {
        return named(BuiltInStacks.TCP, name);
    }

    /** {@code base}'s capabilities under another name (a stack's name must be unique). */
    private static StackCapabilities named(StackCapabilities base, String name) {
        StackCapabilities.Builder builder = StackCapabilities.builder(name).secure(base.secure())
                .byteStream(base.byteStream())
                .tlsVersions(base.tlsVersions().toArray(new io.taps.security.TlsVersion[0]));
        base.propertyNamespaces().forEach(builder::propertyNamespace);
        base.declared().forEach(builder::support);
        return builder.build();
    }

    private static PreconnectionSpec tcpListener() {
        return new PreconnectionSpec(List.of(LocalEndpoint.ofAddress("127.0.0.1", 0)), List.of(),
                TransportProperties.reliableInorderStream(), SecurityParameters.disabled());
    }

    @Test
    void aStackShadowedInItsPortSpaceIsNeverAsked() {
        Recording first = new Recording(tcpLike("first"), "tcp", null);
        Recording shadowed = new Recording(tcpLike("shadowed"), "tcp", "would load a native library");
        List<ProtocolStack> listening = StackSelection.listening(tcpListener(), List.of(first, shadowed));
        assertThat(listening).containsExactly(first);
        assertThat(first.asked).isEqualTo(1);
        assertThat(shadowed.asked).isZero();
    }

    @Test
    void anUnusableFirstStackLeavesItsPortSpaceToTheNext() {
        Recording first = new Recording(tcpLike("first"), "tcp", "refused");
        Recording next = new Recording(tcpLike("next"), "tcp", null);
        Recording other = new Recording(tcpLike("other"), "sctp", null);
        assertThat(StackSelection.listening(tcpListener(), List.of(first, next, other)))
                .containsExactly(next, other);
        assertThat(first.asked).isEqualTo(1);
        assertThat(next.asked).isEqualTo(1);
    }

    @Test
    void aStackSelectionRemovesIsNeverAsked() {
        Recording tcp = new Recording(tcpLike("tcp"), "tcp", null);
        Recording secure = new Recording(named(BuiltInStacks.TLS_TCP, "secure"), "quic", null);
        assertThat(StackSelection.listening(tcpListener(), List.of(tcp, secure))).containsExactly(tcp);
        assertThat(secure.asked).isZero();
    }

    @Test
    void anInitiateAsksOnlyTheStacksSelectionKeeps() {
        Recording tcp = new Recording(tcpLike("tcp"), "tcp", null);
        Recording secure = new Recording(named(BuiltInStacks.TLS_TCP, "secure"), "tcp", null);
        PreconnectionSpec cleartext = new PreconnectionSpec(List.of(),
                List.of(io.taps.endpoint.RemoteEndpoint.ofAddress("127.0.0.1", 1)),
                TransportProperties.reliableInorderStream(), SecurityParameters.disabled());
        assertThat(StackSelection.raceable(cleartext, Role.INITIATE, List.of(tcp, secure))).containsExactly(tcp);
        assertThat(secure.asked).isZero();
    }

    @Test
    void noUsableStackFailsAsRankDoes() {
        Recording only = new Recording(tcpLike("only"), "tcp", "refused by the test");
        List<ProtocolStack> registered = List.of(only);
        TransportServicesException eager = catchFailure(() -> StackSelection.rank(tcpListener(), Role.LISTEN, registered));
        assertThatThrownBy(() -> StackSelection.listening(tcpListener(), registered))
                .isInstanceOf(TransportServicesException.class)
                .hasMessage(eager.getMessage())
                .extracting(e -> ((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
    }

    static Stream<PreconnectionSpec> specs() {
        List<LocalEndpoint> local = List.of(LocalEndpoint.ofAddress("127.0.0.1", 0));
        TransportProperties multipath = TransportProperties.reliableInorderStream().toBuilder()
                .set(Property.MULTIPATH, MultipathMode.ACTIVE).build();
        return Stream.of(
                new PreconnectionSpec(local, List.of(), TransportProperties.reliableInorderStream(),
                        SecurityParameters.disabled()),
                new PreconnectionSpec(local, List.of(), TransportProperties.unreliableDatagram(),
                        SecurityParameters.disabled()),
                new PreconnectionSpec(local, List.of(), multipath, SecurityParameters.disabled()),
                new PreconnectionSpec(local, List.of(), TransportProperties.reliableInorderStream(),
                        SecurityParameters.opportunistic()));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theBuiltInStacksListenAsTheCutRankingSays(PreconnectionSpec spec) {
        List<ProtocolStack> registered = ProtocolRegistry.with(List.of());
        List<ProtocolStack> eager;
        try {
            eager = StackSelection.onePerPortSpace(StackSelection.rank(spec, Role.LISTEN, registered));
        } catch (TransportServicesException failed) {
            assertThatThrownBy(() -> StackSelection.listening(spec, registered)).hasMessage(failed.getMessage());
            return;
        }
        assertThat(StackSelection.listening(spec, registered)).containsExactlyElementsOf(new ArrayList<>(eager));
    }

    private static TransportServicesException catchFailure(Runnable action) {
        try {
            action.run();
        } catch (TransportServicesException e) {
            return e;
        }
        throw new AssertionError("no failure");
    }
}
