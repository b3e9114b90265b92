package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * taps' QUIC Listener against Kwik, a pure-Java QUIC implementation that shares no code with
 * Netty or quiche (issue 13), on epoll and NIO: Kwik sends on one bidirectional stream and ends it
 * with FIN; taps receives every byte and the end, answers with a Final Message and Kwik reads every
 * byte up to taps' FIN; taps' Close then yields Closed (the stream finished both ways, defect 4).
 */
class KwikQuicInteropTest {
    /** Kwik is a pure-Java QUIC stack; 16 MB each way keeps this in seconds. */
    static final long SIZE = 16L * 1024 * 1024;
    private static ExecutorService kwikSide;

    @BeforeAll
    static void start() {
        kwikSide = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        kwikSide.shutdownNow();
    }

    @ParameterizedTest(name = "{0}: Kwik client -> taps QUIC Listener, Kwik FIN first")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void kwikClientSendsAndFinishes_tapsAnswersWithFinal(String transport) throws Exception {
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = new RecordingHandler();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .properties(QuicStreamEndTest.quicOnly()).security(QuicStreamEndTest.serverSecurity()).build()
                    .listen(connection -> {
                        connection.setEventHandler(events);
                        accepted.complete(connection);
                    })) {
                Await.result(listener.ready());
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                trust.setCertificateEntry("root", TestPki.ROOT.getCertificate());
                QuicClientConnection kwik = QuicClientConnection.newBuilder()
                        // Kwik matches the certificate against DNS names only: localhost, on IPv4 where taps listens.
                        .uri(URI.create("https://localhost:" + listener.port())).preferIPv4()
                        .applicationProtocol(QuicStreamEndTest.ALPN).customTrustStore(trust)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                kwik.connect();
                try {
                    QuicStream stream = kwik.createStream(true);
                    CompletableFuture<Digest> kwikSent = CompletableFuture.supplyAsync(() -> {
                        try (OutputStream out = stream.getOutputStream()) {
                            return Digest.write(out, SIZE, 51);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, kwikSide);
                    CompletableFuture<Digest> kwikReceived = CompletableFuture.supplyAsync(() -> {
                        try (InputStream in = stream.getInputStream()) {
                            return Digest.read(in);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, kwikSide);
                    Connection connection = Await.result(accepted, TapsTransfers.TRANSFER);
                    assertThat(TapsTransfers.receiveToEnd(connection)).as("taps received what Kwik sent up to its FIN")
                            .isEqualTo(Await.result(kwikSent, TapsTransfers.TRANSFER));
                    Digest tapsSent = TapsTransfers.send(connection, SIZE, 52);
                    assertThat(Await.result(kwikReceived, TapsTransfers.TRANSFER))
                            .as("Kwik received what taps sent up to its Final").isEqualTo(tapsSent);
                    StreamToolInteropTest.closeThenReceive(connection, events);
                } finally {
                    kwik.close();
                }
            }
        }
    }
}
