package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.lang.reflect.Field;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An accepted framed flow without a handshake arms no expiry when its framers are ready before the
 * accept's read loop ends (they start at channelActive): a scheduled task and its cancellation per
 * accept cost ~150 B and two operations on the loop's queue of scheduled tasks (issue 21 figure
 * 12). That a peer which never lets the framers become ready is still closed after the Listener's
 * connTimeout is {@code FramerConnectionTest.listenerClosesAPeerThatNeverCompletesTheFramerHandshake}'s.
 */
class AcceptExpiryTest extends OneLoopTapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CLIENTS = 64;

    @Test
    void framedConnectionsReadyAtAcceptLeaveNoScheduledTaskEach() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(accepted::add);
        Await.result(listener.ready());
        List<Socket> clients = new ArrayList<>();
        try (listener) {
            // A first Connection, so that what the loop schedules once (the idle sweep) is counted before.
            clients.add(new Socket("127.0.0.1", listener.port()));
            await().atMost(WAIT).until(() -> accepted.size() == 1);
            TapsConnection first = (TapsConnection) accepted.get(0);
            long before = onLoop(first, () -> tasksEverScheduled(first));
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Socket("127.0.0.1", listener.port()));
            }
            await().atMost(WAIT).until(() -> accepted.size() == CLIENTS + 1);
            long scheduled = onLoop(first, () -> tasksEverScheduled(first)) - before;
            // The idle sweep's ticks are the loop's only timers here; an expiry per accept was 64 more.
            assertThat(scheduled).as("tasks scheduled on the loop while %d were accepted", CLIENTS)
                    .isLessThan(CLIENTS / 4);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /** Netty numbers every task it schedules (and forgets a cancelled one at once, so its queue would not tell). */
    private static long tasksEverScheduled(TapsConnection connection) throws ReflectiveOperationException {
        Field nextTaskId = AbstractScheduledEventExecutor.class.getDeclaredField("nextTaskId");
        nextTaskId.setAccessible(true);
        return nextTaskId.getLong(connection.eventLoop());
    }

    private static <T> T onLoop(TapsConnection connection, Callable<T> call) throws Exception {
        return connection.eventLoop().submit(call).get();
    }
}
