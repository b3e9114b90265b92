package io.taps.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A protocol stack registered by the application through the SPI (RFC 9622 §4, RFC 9623 §4 and
 * §10; design.md Q-15) takes part like a built-in one: selection ranks it, the racer races it,
 * the winner's Connection runs on it with its socket option, it applies Connection Properties,
 * clones reconnect with it, and a Listener listens on it.
 */
class PluggedProtocolStackTest {

    private static Preconnection.Builder cleartext(TransportServices taps) {
        return taps.preconnection().security(SecurityParameters.disabled());
    }

    private static void echo(Connection connection) {
        connection.receive().thenAccept(message -> {
            connection.send(Message.of(message.bytes()));
            echo(connection);
        });
    }

    @Test
    void aRegisteredStackIsRacedSelectedListenedOnAndAppliesItsOptions() {
        DscpTcpStack stack = new DscpTcpStack();
        // The second stack starts only a long protocol delay after the first, so the better ranked one wins.
        io.taps.RacingConfig patient = io.taps.RacingConfig.builder().maximumAttemptDelay(Duration.ofSeconds(10))
                .protocolDelay(Duration.ofSeconds(10)).build();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).racing(patient).protocol(stack)
                .build()) {
            Listener listener = cleartext(taps).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(PluggedProtocolStackTest::echo);
            Await.result(listener.ready());
            // Listened on: the registered stack ranks before the built-in TCP it ties with, and only
            // one stack of the "tcp" port space can take the port.
            assertThat(listener.protocolStacks()).containsExactly(DscpTcpStack.NAME);

            Connection client = cleartext(taps).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(client.ready());
            // Raced: both cleartext stream stacks are branches of the candidate tree; selected: it won.
            EstablishmentReport report = client.establishmentReport();
            List<String> raced = report.tree().stream().flatMap(path -> path.stacks().stream())
                    .map(EstablishmentReport.StackBranch::stack).distinct().collect(Collectors.toList());
            assertThat(raced).containsExactly(DscpTcpStack.NAME, "TCP");
            assertThat(report.winner()).get().extracting(EstablishmentReport.Candidate::stack)
                    .isEqualTo(DscpTcpStack.NAME);
            assertThat(client.protocolStack()).contains(DscpTcpStack.NAME);

            Await.result(client.send("through a plugged-in stack"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("through a plugged-in stack");

            // Its socket option is on both ends' sockets, read back from the kernel.
            Channel connected = stack.connected.get(0);
            assertThat(connected.config().getOption(ChannelOption.IP_TOS)).isEqualTo(DscpTcpStack.TOS);
            assertThat(stack.accepted).isNotEmpty();
            assertThat(stack.accepted.get(0).config().getOption(ChannelOption.IP_TOS)).isEqualTo(DscpTcpStack.TOS);

            // Connection Properties reach the stack's applyOption (RFC 9622 §8.1).
            client.setProperty(Property.KEEP_ALIVE_TIMEOUT, Timeout.of(Duration.ofSeconds(30)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> stack.applied.contains(Property.KEEP_ALIVE_TIMEOUT));
            assertThat(connected.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();

            // Clone (RFC 9622 §7.4): a new attempt of the same stack to the winner's address.
            Connection clone = client.clone();
            Await.result(clone.ready());
            assertThat(clone.protocolStack()).contains(DscpTcpStack.NAME);
            assertThat(stack.connected).hasSize(2);
            Await.result(clone.send("clone"));
            assertThat(Await.result(clone.receive()).asString()).isEqualTo("clone");
        }
    }

    /**
     * The rate bounds (RFC 9622 §8.1.8) on a plugged-in stack that does not apply them itself:
     * taps shapes maxSendRate on its channel as on the built-in ones, and reports the others as
     * Unlimited, not as the values asked for, which nothing would enforce.
     */
    @Test
    void rateBoundsTheStackDoesNotApplyAreShapedByTapsOrReadUnlimited() {
        DscpTcpStack stack = new DscpTcpStack();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).protocol(stack).build()) {
            Listener listener = cleartext(taps).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(PluggedProtocolStackTest::echo);
            Await.result(listener.ready());
            Connection client = cleartext(taps).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(io.taps.properties.TransportProperties.builder().maxSendRate(800_000)
                            .maxRecvRate(1_000_000).minSendRate(1000).minRecvRate(1000).build())
                    .build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains(DscpTcpStack.NAME);
            io.taps.properties.ConnectionProperties applied = client.getProperties();
            assertThat(applied.get(Property.MAX_SEND_RATE)).isEqualTo(io.taps.properties.Limit.of(800_000));
            assertThat(stack.connected.get(0).pipeline().names()).as("taps' shaper on the stack's channel")
                    .contains("taps-rate");
            assertThat(applied.get(Property.MAX_RECV_RATE)).isEqualTo(io.taps.properties.Limit.UNLIMITED);
            assertThat(applied.get(Property.MIN_SEND_RATE)).isEqualTo(io.taps.properties.Limit.UNLIMITED);
            assertThat(applied.get(Property.MIN_RECV_RATE)).isEqualTo(io.taps.properties.Limit.UNLIMITED);
            Await.result(client.send("shaped"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("shaped");
            client.close();
        }
    }

    @Test
    void aListenerTakesOneStackPerPortSpaceAndEveryOtherEligibleOne() {
        DscpTcpStack stack = new DscpTcpStack();
        io.taps.properties.TransportProperties either = io.taps.properties.TransportProperties.builder()
                .reliability(io.taps.properties.Preference.NO_PREFERENCE)
                .preserveOrder(io.taps.properties.Preference.NO_PREFERENCE)
                .congestionControl(io.taps.properties.Preference.NO_PREFERENCE).safelyReplayable(true).build();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).protocol(stack).build()) {
            Listener listener = cleartext(taps).properties(either).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .build().listen(PluggedProtocolStackTest::echo);
            Await.result(listener.ready());
            // TCP/AF11 and TCP share the "tcp" port space: the better ranked one (registered first) takes it.
            assertThat(listener.protocolStacks()).containsExactlyInAnyOrder(DscpTcpStack.NAME, "UDP");
            Await.result(listener.stop());
        }
    }

    @Test
    void aStackThatCannotServeAPreconnectionSaysWhyInNoCandidates() {
        DscpTcpStack unusable = new DscpTcpStack() {
            @Override
            public java.util.Optional<String> unusableReason(StackUse use) {
                return java.util.Optional.of("its DSCP class is not allowed on this network");
            }
        };
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).protocol(unusable).build()) {
            Preconnection multistreaming = cleartext(taps).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                    .properties(io.taps.properties.TransportProperties.builder()
                            .require(Property.MULTISTREAMING).build()).build();
            assertThatThrownBy(multistreaming::initiate).isInstanceOf(TransportServicesException.class)
                    .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                            .isEqualTo(ErrorReason.NO_CANDIDATES))
                    .hasMessageContaining(DscpTcpStack.NAME + " removed because its DSCP class is not allowed");
            assertThat(unusable.connected).isEmpty();
        }
    }

    @Test
    void aStackNamedLikeABuiltInOneIsRefused() {
        ProtocolStack impostor = new DscpTcpStack() {
            @Override
            public StackCapabilities capabilities() {
                return StackCapabilities.builder("TCP").byteStream(true).build();
            }
        };
        assertThatThrownBy(() -> TransportServices.builder().protocol(impostor).build())
                .isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.INVALID_CONFIGURATION))
                .hasMessageContaining("'TCP'");
    }
}
