package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.internal.conn.LinkEvents;
import io.taps.properties.ConnectionState;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionHandler#whenReported}: its task runs once, before the attempt's observer hears
 * the outcome, ready or failed, and at once when the outcome was already reported. Since session 18
 * the task rides in a wrapper of the observer, not in a field of the handler (issue 21 figure 12).
 */
class ConnectionHandlerReportTest {

    private static ConnectionHandler.AttemptObserver recording(List<String> events) {
        return new ConnectionHandler.AttemptObserver() {
            @Override
            public void stackReady(Channel channel, ConnectionHandler handler) {
                events.add("ready");
            }

            @Override
            public void stackFailed(Channel channel, Throwable cause) {
                events.add("failed: " + cause.getMessage());
            }
        };
    }

    @Test
    void theTaskRunsOnceBeforeTheObserverHearsReady() {
        List<String> events = new CopyOnWriteArrayList<>();
        ConnectionHandler handler = new ConnectionHandler(recording(events), true);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.whenReported(() -> events.add("task"));
        assertThat(events).isEmpty();
        handler.reportHandshake(channel, null);
        handler.reportHandshake(channel, null);
        assertThat(events).containsExactly("task", "ready");
        handler.whenReported(() -> events.add("late task"));
        assertThat(events).containsExactly("task", "ready", "late task");
        channel.finishAndReleaseAll();
    }

    @Test
    void theTaskRunsBeforeTheObserverHearsAFailure() {
        List<String> events = new CopyOnWriteArrayList<>();
        ConnectionHandler handler = new ConnectionHandler(recording(events), true);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.whenReported(() -> events.add("task"));
        handler.reportHandshake(channel, new IllegalStateException("handshake"));
        assertThat(events).containsExactly("task", "failed: handshake");
        channel.finishAndReleaseAll();
    }

    /** A Connection that records what its link tells it. */
    private static LinkEvents recordingConnection(List<String> events) {
        return new LinkEvents() {
            @Override
            public void onStreamData(ByteBuf data) {
                events.add("data " + data.toString(StandardCharsets.US_ASCII));
                data.release();
            }

            @Override
            public void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
                data.release();
            }

            @Override
            public void onFramingError(TransportServicesException error) {
            }

            @Override
            public void onCloseRequested() {
            }

            @Override
            public void onDatagram(ByteBuf data, InetSocketAddress sender) {
                data.release();
            }

            @Override
            public void onInputShutdown() {
            }

            @Override
            public void onLinkClosed() {
                events.add("closed");
            }

            @Override
            public void onLinkException(Throwable cause) {
            }

            @Override
            public void writabilityChanged() {
            }

            @Override
            public ConnectionState state() {
                return ConnectionState.ESTABLISHED;
            }
        };
    }

    /**
     * Data that arrives while the outcome is still to be reported (a framer that delivers before it
     * is ready, a peer that speaks first) waits with the observer in the handler's one field: the
     * observer is still told, then the Connection gets the data in order (session 20: the observer,
     * the data held and the Connection share one field, 32 -> 24 B of every Connection).
     */
    @Test
    void dataHeldBeforeTheOutcomeReachesTheConnectionAfterTheObserverHeardIt() {
        List<String> events = new CopyOnWriteArrayList<>();
        ConnectionHandler handler = new ConnectionHandler(recording(events), true);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        channel.writeInbound(Unpooled.copiedBuffer("one", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("two", StandardCharsets.US_ASCII));
        assertThat(handler.outcomeReported()).isFalse();
        handler.whenReported(() -> events.add("task"));
        handler.reportHandshake(channel, null);
        assertThat(handler.outcomeReported()).isTrue();
        channel.writeInbound(Unpooled.copiedBuffer("three", StandardCharsets.US_ASCII));
        handler.bind(recordingConnection(events));
        channel.writeInbound(Unpooled.copiedBuffer("four", StandardCharsets.US_ASCII));
        channel.close();
        assertThat(events).containsExactly("task", "ready", "data one", "data two", "data three", "data four",
                "closed");
        channel.finishAndReleaseAll();
    }

    @Test
    void aDiscardedAttemptReleasesWhatItHeldAndWhatComesLaterAndStillReportsItsFailure() {
        List<String> events = new CopyOnWriteArrayList<>();
        ConnectionHandler handler = new ConnectionHandler(recording(events), true);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        ByteBuf early = Unpooled.copiedBuffer("early", StandardCharsets.US_ASCII);
        ByteBuf late = Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII);
        channel.writeInbound(early);
        handler.discard();
        assertThat(early.refCnt()).isZero();
        channel.writeInbound(late);
        assertThat(late.refCnt()).isZero();
        assertThat(handler.outcomeReported()).as("discarding is no outcome").isFalse();
        handler.reportHandshake(channel, new IllegalStateException("lost the race"));
        assertThat(events).containsExactly("failed: lost the race");
        channel.finishAndReleaseAll();
    }

    @Test
    void theHandlerKeepsOneFieldForItsObserverHeldDataAndConnection() {
        List<String> references = Arrays.stream(ConnectionHandler.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers()) && !field.getType().isPrimitive())
                .map(Field::getName).toList();
        assertThat(references).containsExactlyInAnyOrder("peer", "framers");
    }
}
