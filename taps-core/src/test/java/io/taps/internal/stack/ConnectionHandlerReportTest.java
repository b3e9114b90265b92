package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
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
}
