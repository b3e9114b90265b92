package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with plain JDK sockets (C-17): taps speaks ordinary TCP, UDP and TLS on the wire,
 * so a peer that knows nothing of taps exchanges exactly the same bytes with it.
 */
class InteropTest extends TapsTestSupport {
    private static final int TIMEOUT_MS = 10_000;
    static ExecutorService peers;

    @BeforeAll
    static void start() {
        peers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        taps.close();
        peers.shutdownNow();
        peers.awaitTermination(5, TimeUnit.SECONDS);
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        assertThat(data).hasSize(length);
        return data;
    }

    /** Receives from a taps connection until {@code length} bytes arrived; parts are concatenated. */
    static byte[] receiveBytes(Connection connection, int length) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (all.size() < length) {
            all.writeBytes(Await.result(connection.receive()).bytes());
        }
        return all.toByteArray();
    }

    // ------------------------------------------------------------------ TCP

    @Test
    void plainSocketClientToTapsTcpListenerEchoesOneMegabyteExactly_C17() throws Exception {
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve)) {
            Await.result(listener.ready());
            byte[] payload = random(1 << 20, 17);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), TIMEOUT_MS);
                socket.setSoTimeout(TIMEOUT_MS);
                // Write on another thread: the echo flows back while we are still sending.
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (int offset = 0; offset < payload.length; offset += 64 * 1024) {
                            out.write(payload, offset, Math.min(64 * 1024, payload.length - offset));
                        }
                        out.flush();
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, peers);
                byte[] echoed = readToEof(socket.getInputStream());
                Await.result(writer);
                assertThat(echoed.length).isEqualTo(payload.length);
                assertThat(Arrays.equals(echoed, payload)).as("echo is byte-exact").isTrue();
            }
        }
    }

    @Test
    void tapsTcpClientToPlainServerSocket_ServerSeesExactBytesAndEofOnClose_C17() throws Exception {
        byte[] request = random(200_000, 23);
        byte[] reply = "reply from a plain ServerSocket".getBytes(StandardCharsets.UTF_8);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            server.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<byte[]> afterReply = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept()) {
                    peer.setSoTimeout(TIMEOUT_MS);
                    byte[] seen = readExactly(peer.getInputStream(), request.length);
                    assertThat(Arrays.equals(seen, request)).as("server sees exactly what taps sent").isTrue();
                    peer.getOutputStream().write(reply);
                    peer.getOutputStream().flush();
                    // taps Close sends FIN: the server's read reaches EOF with nothing extra.
                    return readToEof(peer.getInputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, peers);

            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate(events);
            Await.result(client.ready());
            Await.result(client.send(Message.of(request)));
            assertThat(receiveBytes(client, reply.length)).isEqualTo(reply);
            client.close();
            assertThat(Await.result(afterReply)).as("nothing after the request but EOF").isEmpty();
            Await.result(client.closed());
            assertThat(events.events()).startsWith("Ready", "Sent").endsWith("Closed");
        }
    }

    // ------------------------------------------------------------------ UDP

    @Test
    void plainDatagramSocketToTapsUdpListener_C17() throws Exception {
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram()).build().listen(Echo::serve);
                DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Await.result(listener.ready());
            socket.setSoTimeout(TIMEOUT_MS);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", listener.port());
            for (int i = 0; i < 3; i++) {
                byte[] datagram = random(1000 + i * 7000, 31 + i);
                socket.send(new DatagramPacket(datagram, datagram.length, target));
                DatagramPacket echo = new DatagramPacket(new byte[65_535], 65_535);
                socket.receive(echo);
                assertThat(Arrays.copyOfRange(echo.getData(), 0, echo.getLength())).isEqualTo(datagram);
                assertThat(echo.getSocketAddress()).isEqualTo(target);
            }
        }
    }

    @Test
    void tapsUdpClientToPlainDatagramSocketServer_C17() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            server.setSoTimeout(TIMEOUT_MS);
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(client.ready());
            byte[] first = random(1200, 41);
            byte[] second = random(30_000, 43);
            Await.result(client.send(Message.of(first)));
            Await.result(client.send(Message.of(second)));

            DatagramPacket one = new DatagramPacket(new byte[65_535], 65_535);
            server.receive(one);
            DatagramPacket two = new DatagramPacket(new byte[65_535], 65_535);
            server.receive(two);
            // One taps Message is one datagram: boundaries and bytes preserved exactly.
            assertThat(Arrays.copyOfRange(one.getData(), 0, one.getLength())).isEqualTo(first);
            assertThat(Arrays.copyOfRange(two.getData(), 0, two.getLength())).isEqualTo(second);
            assertThat(one.getSocketAddress()).isEqualTo(two.getSocketAddress());
            int tapsPort = client.localEndpoint().orElseThrow().port().orElseThrow();
            assertThat(((InetSocketAddress) one.getSocketAddress()).getPort()).isEqualTo(tapsPort);

            byte[] answer = "answer".getBytes(StandardCharsets.UTF_8);
            server.send(new DatagramPacket(answer, answer.length, one.getSocketAddress()));
            Message received = Await.result(client.receive());
            assertThat(received.bytes()).isEqualTo(answer);
            assertThat(received.endOfMessage()).isTrue();
            client.abort();
        }
    }

    // ------------------------------------------------------------------ TLS

    static KeyStore keyStore(X509Bundle bundle) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", bundle.getKeyPair().getPrivate(), new char[0],
                bundle.getCertificatePath());
        return store;
    }

    static SSLContext jdkContext(X509Bundle identity) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", TestPki.ROOT.getCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (identity != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(identity), new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void plainSslSocketClientToTapsTlsListener_C17() throws Exception {
        SecurityParameters server = SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(server)
                .build().listen(Echo::serve)) {
            Await.result(listener.ready());
            assertThat(listener.protocolStack()).isEqualTo("TLS/TCP");
            byte[] payload = random(100_000, 53);
            try (SSLSocket socket = (SSLSocket) jdkContext(null).getSocketFactory()
                    .createSocket("127.0.0.1", listener.port())) {
                socket.setSoTimeout(TIMEOUT_MS);
                javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // checks the 127.0.0.1 IP SAN
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                assertThat(chain[0]).isEqualTo(TestPki.SERVER.getCertificate());

                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        socket.getOutputStream().write(payload);
                        socket.getOutputStream().flush();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, peers);
                byte[] echoed = readExactly(socket.getInputStream(), payload.length);
                Await.result(writer);
                assertThat(Arrays.equals(echoed, payload)).as("echo is byte-exact over TLS").isTrue();
            }
        }
    }

    @Test
    void tapsTlsClientToPlainSslServerSocket_C17() throws Exception {
        byte[] request = random(50_000, 59);
        byte[] reply = "tls reply".getBytes(StandardCharsets.UTF_8);
        SSLContext serverContext = jdkContext(TestPki.SERVER);
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            server.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<byte[]> afterReply = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket peer = (SSLSocket) server.accept()) {
                    peer.setSoTimeout(TIMEOUT_MS);
                    byte[] seen = readExactly(peer.getInputStream(), request.length);
                    assertThat(Arrays.equals(seen, request)).as("server sees exactly what taps sent").isTrue();
                    peer.getOutputStream().write(reply);
                    peer.getOutputStream().flush();
                    return readToEof(peer.getInputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, peers);

            Connection client = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TLS/TCP");
            Await.result(client.send(Message.of(request)));
            assertThat(receiveBytes(client, reply.length)).isEqualTo(reply);
            client.close();
            assertThat(Await.result(afterReply, Duration.ofSeconds(10))).isEmpty();
            Await.result(client.closed());
        }
    }
}
