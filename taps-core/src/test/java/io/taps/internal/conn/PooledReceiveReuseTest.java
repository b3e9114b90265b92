package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An echo server that receives again inside its Received handler (receiveWithEvents, as figure 12's
 * server does) keeps no Receive object per Connection: the Receive that delivered the Message is
 * back in the pool before the handler runs, so the handler's receiveWithEvents reuses it, no idle
 * spare is kept beside it (40 B of every echoing Connection, issue 21), and since session 18 the
 * waiting one is parked, its limits in the Connection and its object in the loop's pool (32 B).
 */
class PooledReceiveReuseTest extends OneLoopTapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Test
    void anEchoReusesTheReceiveThatDeliveredAndKeepsNoSpare() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        List<Object> waitingInHandler = new CopyOnWriteArrayList<>();
        ConnectionEventHandler echo = new ConnectionEventHandler() {
            @Override
            public void received(Connection c, Message message) {
                c.sendWithEvents(message);
                c.receiveWithEvents(1, Integer.MAX_VALUE);
                // On the loop, inside the handler: the Receive just asked for is parked already.
                waitingInHandler.add(!Integer.valueOf(0).equals(field(c, "parked")));
            }
        };
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    connection.setEventHandler(echo);
                    connection.receiveWithEvents(1, Integer.MAX_VALUE);
                    accepted.add(connection);
                });
        Await.result(listener.ready());
        byte[] frame = {0, 0, 0, 3, 'a', 'b', 'c'};
        try (listener; Socket client = new Socket("127.0.0.1", listener.port())) {
            await().atMost(WAIT).until(() -> accepted.size() == 1);
            TapsConnection connection = (TapsConnection) accepted.get(0);
            assertThat(onLoop(connection, () -> field(connection, "firstRequest")))
                    .as("the waiting Receive is parked").isNull();
            assertThat(onLoop(connection, () -> field(connection, "parked"))).isNotEqualTo(0);
            Object first = onLoop(connection, () -> ReceivePool.ofThisThread().poll());
            onLoop(connection, () -> {
                ReceivePool.ofThisThread().offer((ReceiveRequest) first);
                return null;
            });
            for (int round = 0; round < 3; round++) {
                client.getOutputStream().write(frame);
                assertThat(client.getInputStream().readNBytes(frame.length)).isEqualTo(frame);
            }
            await().atMost(WAIT).until(() -> waitingInHandler.size() == 3);
            assertThat(waitingInHandler).as("each echo's Receive parked at once").containsOnly(true);
            assertThat(onLoop(connection, () -> field(connection, "firstRequest"))).isNull();
            Object last = onLoop(connection, () -> ReceivePool.ofThisThread().poll());
            onLoop(connection, () -> {
                ReceivePool.ofThisThread().offer((ReceiveRequest) last);
                return null;
            });
            assertThat(last).as("one Receive object served every echo").isSameAs(first);
            // Session 17: idle Receives are the loop's (ReceivePool); the Connection has no field for one.
            assertThat(java.util.Arrays.stream(ReceivePath.class.getDeclaredFields())
                    .map(java.lang.reflect.Field::getName)).as("no idle Receive kept beside the waiting one")
                    .doesNotContain("spare", "idle");
            assertThat(onLoop(connection, () -> ReceivePool.ofThisThread().size()))
                    .as("one idle on the loop: the parked Receive's object, for any Connection of the loop").isEqualTo(1);
        }
    }

    private static Object field(Object owner, String name) {
        try {
            Class<?> type = owner.getClass();
            java.lang.reflect.Field field = null;
            for (; field == null; type = type.getSuperclass()) {
                try {
                    field = type.getDeclaredField(name);
                } catch (NoSuchFieldException inSuperclass) {
                    if (type.getSuperclass() == null) {
                        throw inSuperclass;
                    }
                }
            }
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T onLoop(TapsConnection connection, Callable<T> task) throws Exception {
        return connection.eventLoop().submit(task).get(30, TimeUnit.SECONDS);
    }
}
