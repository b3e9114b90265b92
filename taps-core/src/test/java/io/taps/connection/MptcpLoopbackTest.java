package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MultipathMode;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MPTCP stacks (RFC 8684, issue 17) on loopback in the host's namespace: an MPTCP client and
 * an MPTCP Listener speak MPTCP (the kernel says so through TCP_IS_MPTCP, and the report and
 * GetProperties repeat it); each falls back to plain TCP against a JDK peer, which is not taps
 * and not Netty, and says so; without multipath everything stays plain TCP.
 */
class MptcpLoopbackTest extends TapsTestSupport {
    private static final byte[] PAYLOAD = new byte[1 << 20];

    @BeforeAll
    static void kernelHasMptcp() throws Exception {
        Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
        boolean available = Files.isReadable(enabled) && Files.readString(enabled).trim().equals("1");
        if (!available) {
            System.err.println("!!! SKIPPING MptcpLoopbackTest: this kernel has no MPTCP (net.mptcp.enabled != 1)");
        }
        assumeTrue(available, "the kernel must allow MPTCP sockets (net.mptcp.enabled=1)");
        new Random(17).nextBytes(PAYLOAD);
    }

    private static TransportProperties multipath(MultipathMode mode) {
        return TransportProperties.builder().multipath(mode).build();
    }

    private static byte[] echoOf(Connection client, int length) {
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        while (echoed.size() < length) {
            echoed.writeBytes(Await.result(client.receive()).bytes());
        }
        return echoed.toByteArray();
    }

    @Test
    void anActiveClientAndAPassiveListenerSpeakMptcp() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("MPTCP");

        Connection client = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.ACTIVE))
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
        Await.result(client.ready());
        assertThat(client.protocolStack()).contains("MPTCP");
        assertThat(client.establishmentReport().winner().orElseThrow().stack()).isEqualTo("MPTCP");
        assertThat(client.establishmentReport().notes()).anySatisfy(note -> assertThat(note).startsWith("MPTCP in use"));
        assertThat(client.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.ACTIVE);
        assertThat(client.getProperties().has(Property.MULTIPATH_TRANSPORT)).isTrue();

        Await.result(client.send(Message.of(PAYLOAD)));
        assertThat(echoOf(client, PAYLOAD.length)).isEqualTo(PAYLOAD);
        Connection server = accepted.get(0);
        assertThat(server.protocolStack()).contains("MPTCP");
        assertThat(server.establishmentReport().notes()).anySatisfy(note -> assertThat(note).startsWith("MPTCP in use"));
        assertThat(server.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.PASSIVE);
        client.close();
        Await.result(client.closed());
        listener.close();
    }

    @Test
    void anMptcpClientFallsBackToTcpAgainstAJdkServerAndSaysSo() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(received::complete))) {
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .properties(multipath(MultipathMode.ACTIVE))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.port())).build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("MPTCP");
            assertThat(client.establishmentReport().notes())
                    .anySatisfy(note -> assertThat(note).startsWith("MPTCP fell back to TCP"));
            assertThat(client.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.DISABLED);
            assertThat(client.getProperties().has(Property.MULTIPATH_TRANSPORT)).isFalse();
            Await.result(client.send(Message.of(PAYLOAD).withContext(io.taps.MessageContext.of(
                    io.taps.properties.MessageProperties.builder().finalMessage(true).build()))));
            assertThat(Await.result(received)).isEqualTo(PAYLOAD);
            client.close();
            Await.result(client.closed());
        }
    }

    @Test
    void aJdkClientIsAcceptedByAnMptcpListenerAsPlainTcp() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("MPTCP");
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), listener.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readNBytes(PAYLOAD.length);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            out.write(PAYLOAD);
            out.flush();
            assertThat(Await.result(echoed)).isEqualTo(PAYLOAD);
        }
        Connection server = accepted.get(0);
        assertThat(server.protocolStack()).contains("TCP");
        assertThat(server.establishmentReport().winner().orElseThrow().stack()).isEqualTo("TCP");
        assertThat(server.establishmentReport().notes())
                .anySatisfy(note -> assertThat(note).startsWith("MPTCP fell back to TCP"));
        assertThat(server.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.DISABLED);
        listener.close();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"127.0.0.1", "::1"})
    void tlsRunsOverMptcpWithVerifiedCertificates(String address) {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().security(TlsConnectionTest.server(io.taps.testing.TestPki.SERVER))
                .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofAddress(address, 0)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        assertThat(listener.protocolStacks()).contains("TLS/MPTCP").doesNotContain("TLS/TCP");
        Connection client = taps.preconnection().security(TlsConnectionTest.client())
                .properties(multipath(MultipathMode.ACTIVE))
                .remote(RemoteEndpoint.ofAddress(address, listener.port())).build().initiate();
        Await.result(client.ready());
        assertThat(client.protocolStack()).contains("TLS/MPTCP");
        assertThat(client.negotiatedApplicationProtocol()).contains("echo/1");
        assertThat(client.establishmentReport().notes()).anySatisfy(note -> assertThat(note).startsWith("MPTCP in use"));
        Await.result(client.send(Message.of(PAYLOAD)));
        assertThat(echoOf(client, PAYLOAD.length)).isEqualTo(PAYLOAD);
        assertThat(accepted.get(0).protocolStack()).contains("TLS/MPTCP");
        client.close();
        Await.result(client.closed());
        listener.close();
    }

    /** Netty's NIO transport cannot carry an MPTCP socket: Passive and Active use TCP, Require names the reason. */
    @Test
    void onTheNioTransportMultipathFallsBackToTcpAndRequireSaysWhy() {
        try (io.taps.TransportServices nio = io.taps.TransportServices.builder().nativeTransport(false)
                .eventLoopThreads(1).build()) {
            Listener listener = nio.preconnection().security(SecurityParameters.disabled())
                    .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .build().listen(Echo::serve);
            Await.result(listener.ready());
            assertThat(listener.protocolStack()).isEqualTo("TCP");
            Connection client = nio.preconnection().security(SecurityParameters.disabled())
                    .properties(multipath(MultipathMode.ACTIVE))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TCP");
            assertThat(client.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.DISABLED);
            client.abort();
            TransportProperties require = TransportProperties.builder().multipath(MultipathMode.ACTIVE)
                    .multipathTransport(io.taps.properties.Preference.REQUIRE).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Await.result(nio.preconnection()
                    .security(SecurityParameters.disabled()).properties(require)
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate().ready()))
                    .hasMessageContaining("NoCandidates").hasMessageContaining("MPTCP needs Netty's native epoll");
            listener.close();
        }
    }

    @Test
    void withoutMultipathEverythingStaysPlainTcp() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
        // The Listener default is Passive (RFC 9622 §6.2.14), but only an explicit request moves it to MPTCP.
        assertThat(listener.protocolStack()).isEqualTo("TCP");
        Connection client = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
        Await.result(client.ready());
        assertThat(client.protocolStack()).contains("TCP");
        assertThat(client.establishmentReport().notes()).noneMatch(note -> note.contains("MPTCP"));
        assertThat(client.getProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.DISABLED);
        client.abort();
        listener.close();
    }
}
