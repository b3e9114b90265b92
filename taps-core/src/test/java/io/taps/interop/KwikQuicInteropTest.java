package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Exchange;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * taps over QUIC against Kwik, a pure-Java QUIC implementation that shares no code with Netty or
 * quiche (issue 13), on epoll and NIO, with SHA-256 checksums and nothing held in memory whole:
 * <ul>
 * <li>Kwik client -> taps Listener, 100 MB each way: Kwik sends on one bidirectional stream and ends
 * it with FIN; taps receives every byte and the end, answers with a Final Message and Kwik reads
 * every byte up to taps' FIN; taps' Close then yields Closed (the stream finished both ways, defect 4).
 * <li>taps client -> Kwik server, 100 MB each way the other way round: taps sends a Final Message
 * first and keeps receiving everything Kwik sends after it, up to Kwik's FIN.
 * <li>Close, then Receive (defect 1): taps sends 256 KiB and closes at once; Kwik echoes all of it
 * and finishes its direction; the Receives made after Close get every echoed byte and the end,
 * then Closed.
 * </ul>
 */
@ExtendWith(KwikLogOnFailure.class)
class KwikQuicInteropTest {
    private static final long SIZE = ExternalPeers.HUNDRED_MB;
    @ParameterizedTest(name = "{0}: Kwik client -> taps QUIC Listener, Kwik FIN first")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void kwikClientSendsAndFinishes_tapsAnswersWithFinal(String transport) throws Exception {
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler events = RecordingHandler.eventsOnly();
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
                        .logger(KwikRecentLog.forEndpoint("client"))
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
                    }, ExternalPeers.PEER_THREADS);
                    CompletableFuture<Digest> kwikReceived = CompletableFuture.supplyAsync(() -> {
                        try (InputStream in = stream.getInputStream()) {
                            return Digest.read(in);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, ExternalPeers.PEER_THREADS);
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

    @ParameterizedTest(name = "{0}: taps client -> Kwik server, taps Final first, keeps receiving")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void tapsClientSendsFinal_keepsReceivingKwikServersReply(String transport) throws Exception {
        CompletableFuture<Exchange> kwikSide = new CompletableFuture<>();
        try (TransportServices taps = TapsTransfers.services(transport);
                KwikServer kwik = new KwikServer(QuicStreamEndTest.ALPN,
                        stream -> complete(kwikSide, () -> KwikServer.receiveThenReply(stream, SIZE, 54)))) {
            RecordingHandler events = RecordingHandler.eventsOnly();
            Connection connection = connect(taps, kwik, events);
            Digest tapsSent = TapsTransfers.send(connection, SIZE, 53);
            // Kwik replies only after taps' FIN, so every reply byte arrives after taps' Final.
            Digest tapsReceived = TapsTransfers.receiveToEnd(connection);
            Exchange exchange = Await.result(kwikSide, TapsTransfers.TRANSFER);
            assertThat(exchange.received()).as("Kwik received what taps sent up to its Final").isEqualTo(tapsSent);
            assertThat(tapsReceived).as("taps received what Kwik sent after taps' Final, up to Kwik's FIN")
                    .isEqualTo(exchange.sent());
            StreamToolInteropTest.closeThenReceive(connection, events);
        }
    }

    /**
     * Issue 13, defect 1, on QUIC: Close and then Receive. Kwik echoes the 256 KiB and finishes only
     * after taps' FIN, and the Receives start only after that, so all of it arrives after Close.
     */
    @ParameterizedTest(name = "{0}: taps client -> Kwik echo server, Close then Receive")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void closeThenReceiveDeliversEverythingKwikSendsBeforeItsFin(String transport) throws Exception {
        CompletableFuture<Long> echoed = new CompletableFuture<>();
        try (TransportServices taps = TapsTransfers.services(transport);
                KwikServer kwik = new KwikServer(QuicStreamEndTest.ALPN, stream -> complete(echoed, () -> echo(stream)))) {
            RecordingHandler events = new RecordingHandler();
            Connection connection = connect(taps, kwik, events);
            TapsTransfers.closeThenReceiveTheEcho(connection, events, echoed);
        }
    }

    private static Connection connect(TransportServices taps, KwikServer kwik, RecordingHandler events) {
        Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", kwik.port()))
                .properties(QuicStreamEndTest.quicOnly()).security(QuicStreamEndTest.clientSecurity()).build()
                .initiate(events);
        Await.result(connection.ready(), TapsTransfers.TRANSFER);
        return connection;
    }

    /** Echoes the stream as it arrives; after the client's FIN, finishes its own direction. */
    private static long echo(QuicStream stream) {
        try (InputStream in = stream.getInputStream(); OutputStream out = stream.getOutputStream()) {
            return in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> void complete(CompletableFuture<T> outcome, java.util.function.Supplier<T> work) {
        try {
            outcome.complete(work.get());
        } catch (RuntimeException | Error e) {
            outcome.completeExceptionally(e);
        }
    }
}
