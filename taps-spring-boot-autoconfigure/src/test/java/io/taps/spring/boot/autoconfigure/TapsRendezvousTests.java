package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link TapsRendezvous} in a Spring context: two peers of the profile {@code p2p} trade their offers
 * through an ordinary taps signalling server (a Listener of the profile {@code signalling} that
 * relays each peer's first Message to the other) and rendezvous over UDP on loopback.
 */
class TapsRendezvousTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=2",
                "taps.profiles.p2p.base=unreliable-datagram", "taps.profiles.p2p.security.enabled=false",
                "taps.profiles.signalling.security.enabled=false", "taps.profiles.signalling.framers=length-prefix");

    @Test
    void twoPeersRendezvousThroughASignallingServerThatIsAnOrdinaryTapsListener() {
        this.contextRunner.run(context -> {
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            TapsRendezvous rendezvous = context.getBean(TapsRendezvous.class);
            Relay relay = new Relay();
            Listener server = profiles.preconnection("signalling", LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(accepted -> accepted.receive().thenAccept(offer -> relay.offer(accepted, offer)));
            server.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
            int serverPort = server.localAddresses().get(0).getPort();

            CompletableFuture<Connection> a = peer(profiles, rendezvous, serverPort);
            CompletableFuture<Connection> b = peer(profiles, rendezvous, serverPort);
            Connection peerA = a.get(20, TimeUnit.SECONDS);
            Connection peerB = b.get(20, TimeUnit.SECONDS);
            assertThat(peerA.protocolStack()).hasValue("UDP");
            assertThat(peerA.establishmentReport().winner()).isPresent();
            peerA.send(Message.of("over the rendezvous".getBytes(StandardCharsets.UTF_8)));
            assertThat(new String(peerB.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).bytes(),
                    StandardCharsets.UTF_8)).isEqualTo("over the rendezvous");
            peerA.abort();
            peerB.abort();
            server.stop();
        });
    }

    private static CompletableFuture<Connection> peer(TapsProfiles profiles, TapsRendezvous rendezvous, int serverPort)
            throws Exception {
        Connection toServer = profiles.preconnection("signalling")
                .remote(io.taps.endpoint.RemoteEndpoint.ofAddress("127.0.0.1", serverPort)).build().initiate();
        toServer.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<Connection> peer = rendezvous.rendezvous("p2p", LocalEndpoint.ofAddress("127.0.0.1",
                freeUdpPort()), TapsRendezvous.over(toServer), Duration.ofSeconds(10)).toCompletableFuture();
        peer.whenComplete((done, failure) -> toServer.abort());
        return peer;
    }

    /** The signalling server: pairs the first two callers and sends each the other's offer. */
    private static final class Relay {
        private final List<Connection> callers = new ArrayList<>();
        private final List<Message> offers = new ArrayList<>();

        synchronized void offer(Connection caller, Message offer) {
            callers.add(caller);
            offers.add(offer);
            if (offers.size() == 2) {
                callers.get(0).send(Message.of(offers.get(1).bytes()));
                callers.get(1).send(Message.of(offers.get(0).bytes()));
            }
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
