package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.selection.BuiltInStacks;
import io.taps.internal.selection.CandidateSelector;
import io.taps.internal.selection.SecurityMode;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.NamedPreferences;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 8: a Selection Property a stack cannot activate is not selectable under Require
 * (NoCandidates when the Preconnection is initiated or listened, naming the property, RFC 9622
 * §6.2, SEL-04a), and GetProperties reports what the link applied (§8.1, C-22), not what was asked.
 */
class HonestSelectionPropertiesTest extends TapsTestSupport {

    private static Preconnection cleartext(TransportProperties properties, int port) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).properties(properties).build();
    }

    private static void assertNoCandidatesNaming(Runnable open, String property) {
        assertThatThrownBy(open::run).isInstanceOfSatisfying(TransportServicesException.class, e -> {
            assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
            assertThat(e.getMessage()).contains(property);
        });
    }

    @Test
    void requiringATemporaryLocalAddressHasNoCandidates_SP13() {
        TransportProperties required = TransportProperties.builder()
                .useTemporaryLocalAddress(Preference.REQUIRE).build();
        assertNoCandidatesNaming(() -> cleartext(required, 9).initiate(), "useTemporaryLocalAddress");
        assertNoCandidatesNaming(() -> cleartext(required, 9).listen(connection -> { }),
                "useTemporaryLocalAddress");
    }

    @Test
    void requiringOrProhibitingAProvisioningDomainHasNoCandidates_SP12() {
        for (Preference binding : List.of(Preference.REQUIRE, Preference.PROHIBIT)) {
            TransportProperties props = TransportProperties.builder().pvdPreference("pvd.example.net", binding).build();
            assertNoCandidatesNaming(() -> cleartext(props, 9).initiate(), "pvd");
            assertNoCandidatesNaming(() -> cleartext(props, 9).listen(connection -> { }), "pvd");
        }
    }

    /** A QUIC client stream exists for the server only once it carries data (RFC 9000 §2.1). */
    @Test
    void quicIsNotSelectableWhenTheClientMustReadBeforeSending_SP18() {
        TransportProperties props = TransportProperties.builder().multistreaming(Preference.REQUIRE)
                .activeReadBeforeSend(Preference.REQUIRE).build();
        assertThatThrownBy(() -> CandidateSelector.select(props, Role.INITIATE, SecurityMode.REQUIRED, false,
                BuiltInStacks.all())).isInstanceOfSatisfying(TransportServicesException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
                    assertThat(e.getMessage()).contains("activeReadBeforeSend=REQUIRE");
                });
    }

    @Test
    void getPropertiesReportsWhatTheTcpSocketApplied() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            // keepAlive is not asked for, but a keepAliveTimeout turns SO_KEEPALIVE on: it is in effect.
            TransportProperties props = TransportProperties.builder()
                    .pvdPreference("pvd.example.net", Preference.PREFER)
                    .keepAliveTimeout(Timeout.of(Duration.ofSeconds(30))).build();
            Connection connection = cleartext(props, peer.port()).initiate();
            Await.result(connection.ready());
            ConnectionProperties applied = connection.getProperties();
            assertThat(applied.has(Property.USE_TEMPORARY_LOCAL_ADDRESS))
                    .as("the default Prefer cannot be honoured, so it reads false").isFalse();
            assertThat(applied.get(Property.PVD)).as("no path was chosen by PvD").isEqualTo(NamedPreferences.EMPTY);
            assertThat(applied.has(Property.KEEP_ALIVE)).as("SO_KEEPALIVE is on").isTrue();
            connection.close();
            Await.result(connection.closed());
        }
    }
}
