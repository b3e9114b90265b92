package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Peer;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * taps over plain TCP against socat and ncat (issue 13), on epoll and NIO, in both directions:
 * 100 MB each way with SHA-256 checksums, the half-close in both orders (taps sends a Final
 * Message and keeps receiving; the peer half-closes and taps keeps sending), and Close then
 * Receive. The peer-half-closes-first runs are issue 13's defect 2: on epoll, taps resumed reading
 * a socket whose input was already shut down and turned epoll_ctl's ENOENT into a ConnectionError.
 */
class StreamToolInteropTest {
    private static final long SIZE = ExternalPeers.HUNDRED_MB;

    enum Tool {
        SOCAT, NCAT;

        void require() {
            if (this == SOCAT) {
                ExternalPeers.require("socat", "socat");
            } else {
                ExternalPeers.require("ncat", "ncat");
            }
        }

        /** The tool listening on 127.0.0.1:port, relaying the one accepted socket to its stdin/stdout. */
        String[] server(int port) {
            return this == SOCAT
                    // -t: after one direction's EOF, keep relaying the other for up to 120 s (default 0.5 s).
                    ? new String[] {"socat", "-b", "65536", "-t", "120", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", "STDIO"}
                    : new String[] {"ncat", "-l", "127.0.0.1", String.valueOf(port)};
        }

        String[] client(int port) {
            return this == SOCAT
                    ? new String[] {"socat", "-b", "65536", "-t", "120", "STDIO", "TCP:127.0.0.1:" + port}
                    : new String[] {"ncat", "127.0.0.1", String.valueOf(port)};
        }
    }

    static Stream<Arguments> peerHalfClosesFirst() {
        return TapsTransfers.transports().flatMap(t -> Stream.of(Arguments.of(t, Tool.SOCAT), Arguments.of(t, Tool.NCAT)));
    }

    @ParameterizedTest(name = "{0} taps client -> {1} server, peer half-closes first")
    @MethodSource("peerHalfClosesFirst")
    void tapsClient_peerSends100MbAndHalfCloses_tapsKeepsSending100Mb(String transport, Tool tool) throws Exception {
        tool.require();
        int port = ExternalPeers.freePort();
        try (TransportServices taps = TapsTransfers.services(transport); Peer peer = Peer.start(tool.server(port))) {
            RecordingHandler events = new RecordingHandler();
            Connection connection = connectWhenListening(taps, port, events);
            peerHalfClosesFirst(connection, peer, events);
        }
    }

    @ParameterizedTest(name = "{0} {1} client -> taps Listener, peer half-closes first")
    @MethodSource("peerHalfClosesFirst")
    void tapsListener_peerSends100MbAndHalfCloses_tapsKeepsSending100Mb(String transport, Tool tool) throws Exception {
        tool.require();
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = new RecordingHandler();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            try (Listener listener = listen(taps, events, accepted); Peer peer = Peer.start(tool.client(listener.port()))) {
                peerHalfClosesFirst(Await.result(accepted, TapsTransfers.TRANSFER), peer, events);
            }
        }
    }

    @ParameterizedTest(name = "{0} taps client -> socat server, taps sends Final first")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void tapsClient_tapsSends100MbFinal_keepsReceiving100Mb(String transport, @TempDir Path dir) throws Exception {
        Tool.SOCAT.require();
        int port = ExternalPeers.freePort();
        Path reply = dir.resolve("reply");
        Digest replySent = ExternalPeers.writeFile(reply, SIZE, 22);
        try (TransportServices taps = TapsTransfers.services(transport);
                Peer peer = Peer.start("socat", "-b", "65536", "-t", "120",
                        "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", receiveThenReply(dir, reply))) {
            RecordingHandler events = new RecordingHandler();
            Connection connection = connectWhenListening(taps, port, events);
            tapsFinalFirst(connection, peer, dir, replySent, events);
        }
    }

    @ParameterizedTest(name = "{0} socat client -> taps Listener, taps sends Final first")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void tapsListener_tapsSends100MbFinal_keepsReceiving100Mb(String transport, @TempDir Path dir) throws Exception {
        Tool.SOCAT.require();
        Path reply = dir.resolve("reply");
        Digest replySent = ExternalPeers.writeFile(reply, SIZE, 22);
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = new RecordingHandler();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            try (Listener listener = listen(taps, events, accepted);
                    Peer peer = Peer.start("socat", "-b", "65536", "-t", "120", receiveThenReply(dir, reply),
                            "TCP:127.0.0.1:" + listener.port())) {
                tapsFinalFirst(Await.result(accepted, TapsTransfers.TRANSFER), peer, dir, replySent, events);
            }
        }
    }

    /**
     * socat's own relay ends both directions at the first EOF, so the peer is a shell child of
     * socat: it stores what arrives until taps' FIN ends it, and only then sends its reply and
     * half-closes in turn.
     */
    private static String receiveThenReply(Path dir, Path reply) {
        return "SYSTEM:cat > '" + dir.resolve("received") + "'; cat '" + reply + "'";
    }

    /** taps sends 100 MB ending with a Final Message and keeps receiving the peer's 100 MB. */
    private static void tapsFinalFirst(Connection connection, Peer peer, Path dir, Digest replySent,
            RecordingHandler events) throws Exception {
        Digest tapsSent = TapsTransfers.send(connection, SIZE, 21);
        // The peer replies only once its input ended: taps' FIN after the Final Message.
        Digest tapsReceived = TapsTransfers.receiveToEnd(connection);
        assertThat(tapsReceived).as("taps received the reply sent after its Final; " + peer.log()).isEqualTo(replySent);
        assertThat(ExternalPeers.readFile(dir.resolve("received"))).as("the peer received what taps sent").isEqualTo(tapsSent);
        closeThenReceive(connection, events);
    }

    /** The peer sends 100 MB and half-closes; taps gets every byte and the end, then sends 100 MB with Final. */
    private static void peerHalfClosesFirst(Connection connection, Peer peer, RecordingHandler events) throws Exception {
        CompletableFuture<Digest> peerReceived = peer.drain();
        CompletableFuture<Digest> peerSent = peer.feed(SIZE, 11);
        Digest tapsReceived = TapsTransfers.receiveToEnd(connection);
        assertThat(tapsReceived).as("taps received what the peer sent; " + peer.log())
                .isEqualTo(Await.result(peerSent, TapsTransfers.TRANSFER));
        Digest tapsSent = TapsTransfers.send(connection, SIZE, 12);
        assertThat(Await.result(peerReceived, TapsTransfers.TRANSFER)).as("the peer received what taps sent; " + peer.log())
                .isEqualTo(tapsSent);
        closeThenReceive(connection, events);
    }

    /** Both directions are finished: Close yields Closed, with no error before it, and a later Receive fails at once. */
    static void closeThenReceive(Connection connection, RecordingHandler events) {
        connection.close();
        Await.result(connection.closed(), TapsTransfers.TRANSFER);
        assertThat(events.events()).as("events").endsWith("Closed")
                .noneMatch(e -> e.startsWith("ConnectionError"));
        assertThat(Await.failure(connection.receive())).as("a Receive after Closed fails").isNotNull();
    }

    static Connection connectWhenListening(TransportServices taps, int port, RecordingHandler events) throws Exception {
        ExternalPeers.awaitListening(port);
        Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build()
                .initiate(events);
        Await.result(connection.ready());
        return connection;
    }

    static Listener listen(TransportServices taps, RecordingHandler events, CompletableFuture<Connection> accepted) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    connection.setEventHandler(events);
                    accepted.complete(connection);
                });
        Await.result(listener.ready());
        return listener;
    }
}
