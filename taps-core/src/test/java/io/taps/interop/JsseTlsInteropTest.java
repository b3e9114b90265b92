package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Exchange;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * taps over TLS 1.3 against the JDK's own TLS (JSSE's SSLSocket: neither Netty nor the BoringSSL
 * taps runs on), epoll and NIO, SHA-256 checksums, nothing held in memory whole (issue 13):
 * <ul>
 * <li>The half-close taps starts: taps sends 100 MB ending with a Final Message (close_notify,
 * then FIN) and keeps receiving. The JSSE peer reads up to that close_notify and only then sends
 * 100 MB and ends its own direction; TLS 1.3 lets each direction close alone (RFC 8446 §6.1),
 * which OpenSSL's s_server does not do (it ends both at close_notify). As client and as Listener.
 * <li>Close, then Receive (defect 1) on TLS/TCP: everything the peer echoes after taps' Close
 * is delivered, up to its close_notify, then Closed.
 * </ul>
 */
class JsseTlsInteropTest {
    private static final long SIZE = ExternalPeers.HUNDRED_MB;
    private static final String TLS_1_3 = "TLSv1.3";
    private static final int SO_TIMEOUT_MS = 60_000;
    @ParameterizedTest(name = "{0}: taps client -> JSSE server, taps Final first, keeps receiving 100 MB")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void tapsClientSendsFinal_keepsReceivingFromJsseServer(String transport) throws Exception {
        try (TransportServices taps = TapsTransfers.services(transport); SSLServerSocket server = jsseServer()) {
            CompletableFuture<Exchange> peer = serveOne(server, socket -> receiveThenReply(socket, SIZE, 62));
            RecordingHandler events = RecordingHandler.eventsOnly();
            Connection connection = connect(taps, server.getLocalPort(), events);
            tapsFinalFirst(connection, peer, events);
        }
    }

    @ParameterizedTest(name = "{0}: JSSE client -> taps Listener, taps Final first, keeps receiving 100 MB")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void tapsListenerSendsFinal_keepsReceivingFromJsseClient(String transport) throws Exception {
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = RecordingHandler.eventsOnly();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            SecurityParameters identity = SecurityParameters.builder()
                    .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                    .allowedProtocols(TlsVersion.TLS_1_3).build();
            try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .security(identity).build().listen(connection -> {
                        connection.setEventHandler(events);
                        accepted.complete(connection);
                    })) {
                Await.result(listener.ready());
                CompletableFuture<Exchange> peer = CompletableFuture.supplyAsync(() -> {
                    try (SSLSocket socket = jsseClient(listener.port())) {
                        return receiveThenReply(socket, SIZE, 64);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, ExternalPeers.PEER_THREADS);
                tapsFinalFirst(Await.result(accepted, TapsTransfers.TRANSFER), peer, events);
            }
        }
    }

    /** Issue 13, defect 1, on TLS/TCP. */
    @ParameterizedTest(name = "{0}: taps client -> JSSE echo server, Close then Receive")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void closeThenReceiveDeliversEverythingTheJssePeerSendsBeforeItsCloseNotify(String transport) throws Exception {
        try (TransportServices taps = TapsTransfers.services(transport); SSLServerSocket server = jsseServer()) {
            CompletableFuture<Long> echoed = serveOne(server, JsseTlsInteropTest::echo);
            RecordingHandler events = new RecordingHandler();
            Connection connection = connect(taps, server.getLocalPort(), events);
            TapsTransfers.closeThenReceiveTheEcho(connection, events, echoed);
        }
    }

    /** taps sends 100 MB ending with a Final Message, then receives the peer's 100 MB sent after it. */
    private static void tapsFinalFirst(Connection connection, CompletableFuture<Exchange> peer, RecordingHandler events) {
        Digest tapsSent = TapsTransfers.send(connection, SIZE, 61);
        Digest tapsReceived = TapsTransfers.receiveToEnd(connection);
        Exchange exchange = Await.result(peer, TapsTransfers.TRANSFER);
        assertThat(exchange.received()).as("the JSSE peer received what taps sent up to its close_notify")
                .isEqualTo(tapsSent);
        assertThat(tapsReceived).as("taps received what the JSSE peer sent after taps' Final").isEqualTo(exchange.sent());
        StreamToolInteropTest.closeThenReceive(connection, events);
    }

    /**
     * Reads up to the peer's close_notify, then sends {@code size} seeded bytes and closes: in TLS
     * 1.3 JSSE answers a close_notify with nothing (jdk.tls.acknowledgeCloseNotify is false), so
     * its own direction stays open until then.
     */
    private static Exchange receiveThenReply(SSLSocket socket, long size, long seed) {
        try {
            socket.setSoTimeout(SO_TIMEOUT_MS);
            Digest received = Digest.read(socket.getInputStream());
            Digest sent = Digest.write(socket.getOutputStream(), size, seed);
            return new Exchange(received, sent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Echoes what arrives; after the peer's close_notify, ends its own direction. */
    private static long echo(SSLSocket socket) {
        try {
            socket.setSoTimeout(SO_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            long echoed = in.transferTo(out);
            out.flush();
            return echoed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts one connection and runs {@code peer} on it; the socket is closed (close_notify, FIN) afterwards. */
    private static <T> CompletableFuture<T> serveOne(SSLServerSocket server, Function<SSLSocket, T> peer) {
        return CompletableFuture.supplyAsync(() -> {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                return peer.apply(socket);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ExternalPeers.PEER_THREADS);
    }

    private static Connection connect(TransportServices taps, int port, RecordingHandler events) {
        Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                        .allowedProtocols(TlsVersion.TLS_1_3).build())
                .build().initiate(events);
        Await.result(connection.ready(), TapsTransfers.TRANSFER);
        return connection;
    }

    private static SSLServerSocket jsseServer() throws Exception {
        SSLContext context = SSLContext.getInstance(TLS_1_3);
        context.init(TestPki.SERVER.toKeyManagerFactory().getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        server.setEnabledProtocols(new String[] {TLS_1_3});
        server.setSoTimeout(SO_TIMEOUT_MS);
        return server;
    }

    private static SSLSocket jsseClient(int port) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance(TLS_1_3);
            context.init(null, TestPki.ROOT.toTrustManagerFactory().getTrustManagers(), null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setEnabledProtocols(new String[] {TLS_1_3});
            SSLParameters parameters = socket.getSSLParameters();
            // The server certificate names 127.0.0.1; check it as a client of taps would.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
