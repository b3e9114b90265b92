package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The end of a QUIC stream Connection (issue 13, defect 4): one side sends 256 KiB ending with a
 * Final Message (FIN), the other receives it all, answers with 256 KiB and its own FIN. A stream
 * finished in both directions is a clean Closed on both sides, after every byte was delivered;
 * before the fix the fully finished stream was treated as gone: ConnectionAborted, a
 * CONNECTION_CLOSE, and sometimes the last received bytes dropped.
 */
class QuicStreamEndTest {
    static final long SIZE = 256 * 1024;
    static final String ALPN = "interop/1";

    static TransportProperties quicOnly() {
        return TransportProperties.builder().require(Property.MULTISTREAMING).build();
    }

    static SecurityParameters serverSecurity() {
        return SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    static SecurityParameters clientSecurity() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    @ParameterizedTest(name = "{0}: client Final first, then the Listener's 256 KiB and FIN")
    @MethodSource("io.taps.interop.TapsTransfers#transports")
    void finalThenPeersFinIsACleanClosedWithEveryByteDelivered(String transport) {
        try (TransportServices taps = TapsTransfers.services(transport)) {
            RecordingHandler serverEvents = new RecordingHandler();
            CompletableFuture<Digest> serverReceived = new CompletableFuture<>();
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .properties(quicOnly()).security(serverSecurity()).build().listen(connection -> {
                        connection.setEventHandler(serverEvents);
                        accepted.complete(connection);
                    })) {
                Await.result(listener.ready());
                RecordingHandler clientEvents = new RecordingHandler();
                Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                        .properties(quicOnly()).security(clientSecurity()).build().initiate(clientEvents);
                Await.result(client.ready());
                CompletableFuture<Digest> clientSent = CompletableFuture.supplyAsync(() -> TapsTransfers.send(client, SIZE, 41), ExternalPeers.PEER_THREADS);
                Connection server = Await.result(accepted, TapsTransfers.TRANSFER);
                Digest received = TapsTransfers.receiveToEnd(server);
                assertThat(received).as("the Listener side received the client's bytes up to its Final")
                        .isEqualTo(Await.result(clientSent, TapsTransfers.TRANSFER));
                Digest serverSent = TapsTransfers.send(server, SIZE, 42);
                assertThat(TapsTransfers.receiveToEnd(client)).as("the client received the answer after its Final")
                        .isEqualTo(serverSent);
                StreamToolInteropTest.closeThenReceive(client, clientEvents);
                StreamToolInteropTest.closeThenReceive(server, serverEvents);
            }
        }
    }
}
