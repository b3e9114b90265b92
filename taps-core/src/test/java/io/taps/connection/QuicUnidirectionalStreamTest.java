package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Direction;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The direction property (RFC 9622 §6.2.16) on QUIC, taps to taps: a send-only Connection is a
 * unidirectional stream (RFC 9000 §2.1), which the Listener delivers as a receive-only Connection
 * of the same group; a receive-only Connection cannot be initiated.
 */
class QuicUnidirectionalStreamTest extends TapsTestSupport {

    static TransportProperties quic(Direction direction) {
        return QuicConnectionTest.quicOnly().toBuilder().direction(direction).build();
    }

    @Test
    void aSendOnlyConnectionArrivesAsAReceiveOnlyConnectionWithEveryByte() {
        CompletableFuture<Connection> accepted = new CompletableFuture<>();
        java.util.List<Connection> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(QuicConnectionTest.quicOnly()).security(QuicConnectionTest.server()).build()
                .listen(connection -> {
                    all.add(connection);
                    accepted.complete(connection);
                })) {
            Await.result(listener.ready());
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(quic(Direction.UNIDIRECTIONAL_SEND)).security(QuicConnectionTest.client()).build()
                    .initiate(new RecordingHandler());
            Await.result(client.ready());
            assertThat(client.getProperties().get(Property.CAN_RECEIVE)).isFalse();
            byte[] payload = new byte[300_000];
            new Random(7).nextBytes(payload);
            Await.result(client.send(Message.of(payload).withContext(
                    MessageContext.of(MessageProperties.builder().finalMessage(true).build()))));

            Connection server = Await.result(accepted);
            assertThat(server.getProperties().get(Property.DIRECTION)).isEqualTo(Direction.UNIDIRECTIONAL_RECEIVE);
            assertThat(server.getProperties().get(Property.CAN_SEND)).isFalse();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (true) {
                Message part = Await.result(server.receive());
                received.writeBytes(part.bytes());
                if (part.endOfMessage() && part.context().isFinal()) {
                    break;
                }
            }
            assertThat(received.toByteArray()).isEqualTo(payload);
            Throwable refused = Await.failure(server.send(Message.of("no way back")));
            assertThat(((TransportServicesException) refused).reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);

            // A second send-only Connection of the same QUIC connection (Clone) joins the same group.
            Connection second = client.clone();
            Await.result(second.ready());
            Await.result(second.send(Message.of("second").withContext(
                    MessageContext.of(MessageProperties.builder().finalMessage(true).build()))));
            org.awaitility.Awaitility.await().until(() -> all.size() == 2);
            assertThat(all.get(1).getProperties().get(Property.DIRECTION)).isEqualTo(Direction.UNIDIRECTIONAL_RECEIVE);
            assertThat(all.get(1).groupedConnections()).contains(server);
            assertThat(Await.result(all.get(1).receive()).asString()).isEqualTo("second");
            client.close();
            second.close();
        }
    }

    @Test
    void aReceiveOnlyQuicConnectionCannotBeInitiated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> taps.preconnection()
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", 9)).properties(quic(Direction.UNIDIRECTIONAL_RECEIVE))
                .security(QuicConnectionTest.client()).build().initiate(new RecordingHandler()))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("opened by the peer");
    }
}
