package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Peer;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.File;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * taps over TLS/TCP against OpenSSL's own client and server (issue 13), TLS 1.3 and 1.2, epoll and
 * NIO, certificates from the generated test PKI: 100 MB each way with SHA-256 checksums. taps ends
 * its direction with a Final Message (close_notify, then FIN) and OpenSSL must see every byte
 * before that end; OpenSSL ends its direction at stdin EOF and taps must deliver every byte and the
 * end, and Close then yields Closed.
 */
class OpenSslInteropTest {
    private static final long SIZE = ExternalPeers.HUNDRED_MB;

    static Stream<Arguments> cases() {
        return TapsTransfers.transports().flatMap(t -> Stream.of(Arguments.of(t, TlsVersion.TLS_1_3),
                Arguments.of(t, TlsVersion.TLS_1_2)));
    }

    private static String flag(TlsVersion version) {
        return version == TlsVersion.TLS_1_3 ? "-tls1_3" : "-tls1_2";
    }

    @ParameterizedTest(name = "{0} taps client -> openssl s_server, {1}")
    @MethodSource("cases")
    void tapsClientSends100MbWithFinalToOpenSslServer(String transport, TlsVersion version) throws Exception {
        ExternalPeers.require("openssl", "openssl");
        int port = ExternalPeers.freePort();
        File chain = TestPki.SERVER.toTempCertChainPem();
        File key = TestPki.SERVER.toTempPrivateKeyPem();
        try (TransportServices taps = TapsTransfers.services(transport);
                Peer peer = Peer.start("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", chain.getPath(),
                        "-key", key.getPath(), "-naccept", "1", "-quiet", flag(version))) {
            ExternalPeers.awaitListening(port);
            RecordingHandler events = RecordingHandler.eventsOnly();
            Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                            .allowedProtocols(version).build())
                    .build().initiate(events);
            Await.result(connection.ready());
            CompletableFuture<Digest> peerReceived = peer.drain();
            Digest sent = TapsTransfers.send(connection, SIZE, 31);
            // s_server's stdout ends when it got taps' close_notify after the Final Message.
            assertThat(Await.result(peerReceived, TapsTransfers.TRANSFER)).as("s_server received what taps sent; " + peer.log())
                    .isEqualTo(sent);
            connection.close();
            Await.result(connection.closed(), TapsTransfers.TRANSFER);
            assertThat(events.events()).endsWith("Closed").noneMatch(e -> e.startsWith("ConnectionError"));
            assertThat(Await.failure(connection.receive())).as("a Receive after Closed fails").isNotNull();
        } finally {
            chain.delete();
            key.delete();
        }
    }

    @ParameterizedTest(name = "{0} openssl s_client -> taps Listener, {1}")
    @MethodSource("cases")
    void openSslClientSends100MbAndEndsToTapsListener(String transport, TlsVersion version) throws Exception {
        ExternalPeers.require("openssl", "openssl");
        File root = TestPki.SERVER.toTempRootCertPem();
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = RecordingHandler.eventsOnly();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            SecurityParameters server = SecurityParameters.builder()
                    .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                    .allowedProtocols(version).build();
            try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(server)
                    .build().listen(connection -> {
                        connection.setEventHandler(events);
                        accepted.complete(connection);
                    })) {
                Await.result(listener.ready());
                // Without -quiet (which implies -ign_eof) s_client sends close_notify at stdin EOF; -nocommands
                // keeps it from reading "Q" or "R" at a line start in the random data as a command.
                try (Peer peer = Peer.start("openssl", "s_client", "-connect", "127.0.0.1:" + listener.port(),
                        "-CAfile", root.getPath(), "-verify_return_error", "-brief", "-nocommands", flag(version))) {
                    Connection connection = Await.result(accepted, TapsTransfers.TRANSFER);
                    CompletableFuture<Digest> peerSent = peer.feed(SIZE, 32);
                    Digest received = TapsTransfers.receiveToEnd(connection);
                    assertThat(received).as("taps received what s_client sent up to its close_notify; " + peer.log())
                            .isEqualTo(Await.result(peerSent, TapsTransfers.TRANSFER));
                    StreamToolInteropTest.closeThenReceive(connection, events);
                }
            }
        } finally {
            root.delete();
        }
    }
}
