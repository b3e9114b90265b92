package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.internal.quic.QuicSession;
import io.taps.internal.quic.QuicStreamLink;
import io.taps.properties.ConnectionScheduler;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Clone on QUIC (RFC 9622 §7.4, design.md Q-16, checklist C-09): a clone is a new stream of the same
 * QUIC connection, every stream of one QUIC connection is in one Connection Group on both sides,
 * entangled properties are shared, and groupConnLimit bounds the streams a clone may open.
 */
class QuicCloneTest extends TapsTestSupport {

    /** A framed QUIC echo listener that also collects what it accepts. */
    static Listener framedEcho(List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(QuicConnectionTest.quicOnly()).security(QuicConnectionTest.server())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        return listener;
    }

    static Connection framedClient(Listener listener, RecordingHandler events) {
        Connection client = QuicConnectionTest.quicClient("127.0.0.1", listener.port())
                .framer(LengthPrefixFramer.factory(4)).build().initiate(events);
        Await.result(client.ready());
        return client;
    }

    static String echo(Connection connection, String text) {
        Await.result(connection.send(Message.of(text)));
        return Await.result(connection.receive()).asString();
    }

    @Test
    void aCloneIsANewStreamOfTheSameQuicConnectionInOneGroupOnBothSides() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = framedEcho(accepted)) {
            Connection original = framedClient(listener, new RecordingHandler());
            assertThat(echo(original, "first")).isEqualTo("first");

            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(clone.protocolStack()).contains("QUIC");
            assertThat(QuicSession.of(clone)).containsSame(QuicSession.of(original).orElseThrow());
            assertThat(QuicSession.of(original).orElseThrow().openStreams()).isEqualTo(2);
            assertThat(echo(clone, "from the clone")).isEqualTo("from the clone");
            assertThat(echo(original, "still the original")).isEqualTo("still the original");

            ConnectionGroup group = original.group();
            assertThat(group.multiplexed()).isTrue();
            assertThat(clone.group()).isSameAs(group);
            assertThat(original.groupedConnections()).containsExactly(original, clone);
            EstablishmentReport report = clone.establishmentReport();
            assertThat(report.attempts()).hasSize(1);
            assertThat(report.attempts().get(0).outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED);
            assertThat(report.resolutions()).isEmpty();
            assertThat(report.notes()).anyMatch(note -> note.contains("new stream of the QUIC connection"));

            // The transfer report takes its RTT from QUIC's path statistics (read in the background).
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> clone.transferReport().smoothedRtt().isPresent());
            assertThat(clone.transferReport().messagesReceived()).isEqualTo(1);

            // The server sees the two streams as two Connections of one group.
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 2);
            assertThat(accepted.get(1).group()).isSameAs(accepted.get(0).group());
            assertThat(accepted.get(0).groupedConnections()).hasSize(2);
            // Streams of one QUIC connection share it on the server too, though a server opens none itself.
            assertThat(accepted.get(0).group().multiplexed()).isTrue();

            original.closeGroup();
            Await.result(original.closed());
            Await.result(clone.closed());
            QuicSession session = QuicSession.of(original).orElseThrow();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !session.channel().isActive());
        }
    }

    @Test
    void entangledPropertiesAreSharedByTheStreamsButConnPriorityIsNot() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = framedEcho(accepted)) {
            Connection original = framedClient(listener, new RecordingHandler());
            Connection clone = original.clone();
            Await.result(clone.ready());
            original.setProperty(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(17)));
            clone.setProperty(Property.CONN_PRIORITY, 200);
            assertThat(clone.getProperties().get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(17)));
            assertThat(original.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(100);
            assertThat(clone.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(200);

            // On QUIC they reach quiche's stream scheduler (CP-02, CP-05): urgency per stream, the
            // scheduler (sequential or incremental) on every stream of the group.
            original.setProperty(Property.CONN_PRIORITY, 0);
            original.setProperty(Property.CONN_SCHEDULER, ConnectionScheduler.FCFS);
            Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                assertThat(priority(original).urgency()).isZero();
                assertThat(priority(original).isIncremental()).isFalse();
                assertThat(priority(clone).urgency()).isEqualTo(6);
                assertThat(priority(clone).isIncremental()).isFalse();
            });
            original.closeGroup();
            Await.result(clone.closed());
        }
    }

    static io.netty.handler.codec.quic.QuicStreamPriority priority(Connection connection) {
        io.netty.handler.codec.quic.QuicStreamPriority priority = ((QuicStreamLink)
                ((io.taps.internal.conn.TapsConnection) connection).link()).priority();
        assertThat(priority).as("a priority was set").isNotNull();
        return priority;
    }

    /**
     * groupConnLimit bounds the Connections the peer opens in the group (RFC 9622 §8.1.9): a
     * Listener with a limit of 2 accepts two streams of one QUIC connection and refuses the third,
     * while the client's own clones are not limited by it.
     */
    @Test
    void groupConnLimitBoundsTheStreamsThePeerOpens() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(QuicConnectionTest.quicOnly().toBuilder().groupConnLimit(2).build())
                .security(QuicConnectionTest.server()).framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        try (listener) {
            Await.result(listener.ready());
            Connection original = framedClient(listener, new RecordingHandler());
            original.setProperty(Property.GROUP_CONN_LIMIT, Limit.of(1));
            assertThat(echo(original, "first")).isEqualTo("first");
            Connection second = original.clone();
            Await.result(second.ready());
            assertThat(echo(second, "second")).isEqualTo("second");
            Connection third = original.clone();
            Await.result(third.ready());
            assertThat(original.groupedConnections()).as("clones are not limited").hasSize(3);
            third.send(Message.of("third"));
            // The Listener refused the third stream: it ends it without an echo.
            assertThat(Await.result(third.receive()).length()).isZero();
            assertThat(accepted).hasSize(2);
            assertThat(accepted.get(0).groupedConnections()).containsExactlyElementsOf(accepted);
            original.closeGroup();
            Await.result(second.closed());
        }
    }
}
