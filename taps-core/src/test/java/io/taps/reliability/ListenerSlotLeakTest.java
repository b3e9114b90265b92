package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionState;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * A Listener at its concurrency cap ({@code _taps.maxConcurrentConnections}) holds Connections whose
 * handshake completes meanwhile; one whose peer resets it before delivery must give its place
 * back (issue 15 item 5). Before the fix it was delivered dead once a slot freed and its slot never
 * returned, so the Listener refused every later client.
 *
 * <p>TLS makes "accepted, then held" deterministic: a client's TCP connection is accepted while a
 * slot is free, and its TLS handshake (TLS 1.2, where the server's Finished comes last, so the
 * client's handshake ends only after the server's) completes after another Connection took the
 * only slot.
 */
class ListenerSlotLeakTest extends TapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static final class Received implements ListenerEventHandler {
        final List<Connection> connections = new CopyOnWriteArrayList<>();

        @Override
        public void connectionReceived(Connection connection) {
            connections.add(connection);
        }
    }

    @Test
    void heldConnectionsResetByTheirPeersReturnTheirSlots() throws Exception {
        Received received = new Received();
        SecurityParameters server = SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_2).build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().maxConcurrentConnections(1).build())
                .security(server).build().listen(received)) {
            Await.result(listener.ready());
            int port = listener.port();
            // Accepted (TCP) while the slot is free, but no TLS handshake yet: not a Connection.
            List<Socket> tcp = new ArrayList<>();
            List<SSLSocket> early = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tcp.add(new Socket("127.0.0.1", port));
                early.add(tlsOver(tcp.get(i), port));
            }
            Connection first = connect(port);
            Await.result(first.ready(), WAIT);
            await().atMost(WAIT).until(() -> received.connections.size() == 1);

            // Their handshakes complete now: held at the cap. Then their peers reset them.
            for (SSLSocket socket : early) {
                socket.startHandshake();
            }
            for (Socket socket : tcp) {
                socket.setSoLinger(true, 0);
                socket.close();
            }

            // The only slot frees. A held Connection that ended (reset while held) is forgotten; one
            // whose reset the server reads only after its delivery ends right after it, giving the
            // slot back. Either way the next client gets the slot.
            first.abort();
            received.connections.get(0).close();
            Connection next = connect(port);
            Await.result(next.ready(), WAIT);
            Connection delivered = awaitDeliveredFrom(received, next);
            Await.result(next.send("hello"));
            assertThat(Await.result(delivered.receive()).asString()).isEqualTo("hello");
            for (Connection other : received.connections) {
                if (other != delivered && other != received.connections.get(0)) {
                    await().atMost(WAIT).until(() -> other.state() == ConnectionState.CLOSED);
                }
            }

            // And it keeps working: the slot goes round again.
            next.abort();
            delivered.close();
            Connection last = connect(port);
            Await.result(last.ready(), WAIT);
            awaitDeliveredFrom(received, last);
            last.abort();
        }
    }

    /** The accepted Connection whose remote is {@code client}'s local endpoint, once delivered. */
    private static Connection awaitDeliveredFrom(Received received, Connection client) {
        int port = client.localEndpoint().orElseThrow().port().orElseThrow();
        return await().atMost(WAIT).until(() -> received.connections.stream()
                .filter(accepted -> accepted.remoteEndpoint().orElseThrow().port().orElseThrow() == port)
                .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private static Connection connect(int port) {
        SecurityParameters client = SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build();
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).security(client).build()
                .initiate();
    }

    private static SSLSocket tlsOver(Socket tcp, int port) throws Exception {
        SSLSocket socket = (SSLSocket) jdkClientContext(TestPki.ROOT).getSocketFactory()
                .createSocket(tcp, "127.0.0.1", port, true);
        socket.setEnabledProtocols(new String[] {"TLSv1.2"});
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static SSLContext jdkClientContext(X509Bundle root) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root.getCertificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
