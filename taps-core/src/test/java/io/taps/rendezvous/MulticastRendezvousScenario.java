package io.taps.rendezvous;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Multicast Rendezvous (RFC 9622 §6.1.1) in a child JVM on a multicast-capable loopback: two members
 * of an any-source group hear each other; a source-specific group as LocalEndpoint is refused.
 */
public final class MulticastRendezvousScenario {
    private MulticastRendezvousScenario() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress group = InetAddress.getByName("239.7.7.7");
        int port = 47001;
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).build()) {
            Connection one = member(taps, group, port).get(10, TimeUnit.SECONDS);
            Connection two = member(taps, group, port).get(10, TimeUnit.SECONDS);
            System.out.println("stack=" + one.protocolStack().orElse("?"));
            System.out.println("canSend=" + one.getProperties().get(io.taps.properties.Property.CAN_SEND) + " canReceive="
                    + one.getProperties().get(io.taps.properties.Property.CAN_RECEIVE));
            one.send(Message.of("from-one".getBytes(StandardCharsets.UTF_8)));
            System.out.println("twoHeard=" + receiveUntil(two, "from-one"));
            two.send(Message.of("from-two".getBytes(StandardCharsets.UTF_8)));
            System.out.println("oneHeard=" + receiveUntil(one, "from-two"));
            one.close();
            two.close();

            InetAddress ssm = InetAddress.getByName("232.7.7.7");
            CompletableFuture<TransportServicesException> refused = new CompletableFuture<>();
            taps.preconnection()
                    .local(LocalEndpoint.builder().withSingleSourceMulticastGroupIP(ssm, InetAddress.getByName("127.0.0.1"))
                            .withPort(port).build())
                    .remote(RemoteEndpoint.ofAddress(ssm, port)).security(SecurityParameters.disabled())
                    .properties(TransportProperties.unreliableDatagram()).build()
                    .rendezvous(new ConnectionEventHandler() {
                        @Override
                        public void rendezvousDone(Connection connection) {
                            refused.completeExceptionally(new AssertionError("an SSM group rendezvoused"));
                        }

                        @Override
                        public void establishmentError(Connection connection, TransportServicesException error) {
                            refused.complete(error);
                        }
                    });
            TransportServicesException error = refused.get(10, TimeUnit.SECONDS);
            System.out.println("ssmReason=" + error.reason().rfcName());
            System.out.println("ssmMessage=" + error.getMessage());
        }
        System.exit(0);
    }

    private static CompletableFuture<Connection> member(TransportServices taps, InetAddress group, int port) {
        Preconnection preconnection = taps.preconnection()
                .local(LocalEndpoint.builder().withAnySourceMulticastGroupIP(group).withPort(port).build())
                .remote(RemoteEndpoint.ofAddress(group, port)).security(SecurityParameters.disabled())
                .properties(TransportProperties.unreliableDatagram()).build();
        CompletableFuture<Connection> done = new CompletableFuture<>();
        preconnection.rendezvous(new ConnectionEventHandler() {
            @Override
            public void rendezvousDone(Connection connection) {
                done.complete(connection);
            }

            @Override
            public void establishmentError(Connection connection, TransportServicesException error) {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    /** Receives until {@code expected} arrived (the member's own datagrams loop back first), at most 4. */
    private static boolean receiveUntil(Connection connection, String expected) throws Exception {
        for (int i = 0; i < 4; i++) {
            String got = new String(connection.receive().toCompletableFuture().get(5, TimeUnit.SECONDS).bytes(),
                    StandardCharsets.UTF_8);
            if (got.equals(expected)) {
                return true;
            }
        }
        return false;
    }
}
