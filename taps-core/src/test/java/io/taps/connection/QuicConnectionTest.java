package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QUIC streams as Connections over real loopback UDP with generated certificates (RFC 9622 §6.2.6, Q-15, Q-16). */
class QuicConnectionTest extends TapsTestSupport {
    static final String ALPN = "echo/1";

    /** Server parameters: the test PKI's server identity, TLS 1.3 only, one ALPN protocol. */
    static SecurityParameters server() {
        return SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    static SecurityParameters client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    /** Only QUIC can meet multistreaming=Require. */
    static TransportProperties quicOnly() {
        return TransportProperties.builder().require(Property.MULTISTREAMING).build();
    }

    static Listener quicEcho(String address, boolean framed) {
        Preconnection.Builder builder = taps.preconnection().local(LocalEndpoint.ofAddress(address, 0))
                .properties(quicOnly()).security(server());
        if (framed) {
            builder.framer(LengthPrefixFramer.factory(4));
        }
        Listener listener = builder.build().listen(Echo::serve);
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("QUIC");
        return listener;
    }

    static Preconnection.Builder quicClient(String address, int port) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress(address, port)).properties(quicOnly())
                .security(client());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesByteExactOverAQuicStream(String address) {
        try (Listener listener = quicEcho(address, false)) {
            RecordingHandler events = new RecordingHandler();
            Connection client = quicClient(address, listener.port()).build().initiate(events);
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("QUIC");
            assertThat(client.negotiatedApplicationProtocol()).contains(ALPN);
            byte[] payload = new byte[200_000];
            new Random(42).nextBytes(payload);
            Await.result(client.send(Message.of(payload)));
            java.io.ByteArrayOutputStream echoed = new java.io.ByteArrayOutputStream();
            while (echoed.size() < payload.length) {
                echoed.writeBytes(Await.result(client.receive()).bytes());
            }
            assertThat(echoed.toByteArray()).isEqualTo(payload);
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).startsWith("Ready", "Sent").endsWith("Closed");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true})
    void echoesWholeMessagesWithALengthPrefixFramer(boolean framed) {
        try (Listener listener = quicEcho("127.0.0.1", framed)) {
            Connection client = quicClient("127.0.0.1", listener.port()).framer(LengthPrefixFramer.factory(4))
                    .build().initiate(new RecordingHandler());
            Await.result(client.ready());
            for (int i = 0; i < 20; i++) {
                String text = "message " + i + " " + "x".repeat(i * 97);
                Await.result(client.send(Message.of(text)));
                Message echoed = Await.result(client.receive());
                assertThat(echoed.endOfMessage()).isTrue();
                assertThat(new String(echoed.bytes(), StandardCharsets.UTF_8)).isEqualTo(text);
            }
            client.close();
            Await.result(client.closed());
        }
    }
}
