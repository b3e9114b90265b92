package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pooled Sends (sendWithEvents) are the event loop thread's ({@link SendPool}), not each
 * Connection's: an echo server's Connections keep no idle Send and write promise of their own
 * (104 B of every one, issue 21 figure 12), one Send serves them all in turn, and a Send taken by
 * another Connection carries nothing of the last one, above all no promise its channel may still
 * report a write to.
 */
class SendPoolTest extends OneLoopTapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Test
    void anEchoServersConnectionsShareOnePooledSendOfTheirLoop() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        ConnectionEventHandler echo = new ConnectionEventHandler() {
            @Override
            public void received(Connection c, Message message) {
                c.sendWithEvents(message);
                c.receiveWithEvents(1, Integer.MAX_VALUE);
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
        List<Socket> clients = new ArrayList<>();
        try (listener) {
            for (int i = 0; i < 3; i++) {
                clients.add(new Socket("127.0.0.1", listener.port()));
            }
            await().atMost(WAIT).until(() -> accepted.size() == 3);
            TapsConnection first = (TapsConnection) accepted.get(0);
            for (int round = 0; round < 2; round++) {
                for (Socket client : clients) {
                    client.getOutputStream().write(frame);
                    assertThat(client.getInputStream().readNBytes(frame.length)).isEqualTo(frame);
                    // Its Sent raised, the Send is back in the loop's pool before the next echo.
                    await().atMost(WAIT).until(() -> onLoop(first, () -> SendPool.ofThisThread().size()) == 1);
                }
            }
            assertThat(onLoop(first, () -> SendPool.ofThisThread().size())).as("one Send served six echoes")
                    .isEqualTo(1);
            for (Connection connection : accepted) {
                SendPath path = (TapsConnection) connection;
                // The 0-RTT Send waits in the RareTransfer made only for one (session 20).
                assertThat(onLoop(first, () -> java.util.Arrays.asList(field(path, "oldestInFlight"),
                        path.rareTransferIfMade() == null ? null : path.rareTransferIfMade().sentEarly)))
                        .as("no Send kept by the Connection").containsOnlyNulls();
            }
            PendingSend idle = onLoop(first, () -> {
                PendingSend send = SendPool.ofThisThread().poll();
                SendPool.ofThisThread().offer(send);
                return send;
            });
            assertThat(field(idle, "path")).as("an idle Send refers to no Connection").isNull();
            assertThat(field(idle, "message")).as("nor to the Message it carried").isNull();
            ChannelPromise promise = (ChannelPromise) field(idle, "promise");
            assertThat(promise.channel()).as("and its promise to no channel").isNull();
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aSendEndedBeforeItsWriteWasReportedLeavesItsPromiseBehind() {
        EmbeddedChannel one = new EmbeddedChannel();
        EmbeddedChannel other = new EmbeddedChannel();
        try {
            TapsConnection connection = new TapsConnection(one.eventLoop(), Runnable::run,
                    TransportProperties.reliableInorderStream(), Role.INITIATE, null);
            SendPath path = connection;
            // The Connection ended while its write was under way: the channel may still report it.
            PendingSend send = path.pooledSend(Message.of("one"), null);
            ChannelPromise unreported = send.promiseFor(one);
            path.recycle(send);
            PendingSend again = path.pooledSend(Message.of("two"), null);
            assertThat(again).as("the Send itself is pooled").isSameAs(send);
            ChannelPromise next = again.promiseFor(other);
            assertThat(next).as("a new promise, not the one the first channel may report to").isNotSameAs(unreported);
            assertThat(next.channel()).isSameAs(other);
            assertThat(unreported.channel()).as("the old one stays its channel's").isSameAs(one);

            // Reported, the write's promise is free and goes with its Send to the next channel.
            next.trySuccess();
            path.recycle(again);
            PendingSend third = path.pooledSend(Message.of("three"), null);
            assertThat(third).isSameAs(send);
            assertThat(third.promiseFor(one)).as("the reported promise, reused").isSameAs(next);
            assertThat(next.channel()).isSameAs(one);
            assertThat(third.context).isSameAs(((Message) field(third, "message")).context());
            next.trySuccess();
            path.recycle(third);
            SendPool.ofThisThread().poll();
        } finally {
            one.finishAndReleaseAll();
            other.finishAndReleaseAll();
        }
    }

    /**
     * A pooled Send the Connection's failure ended while its write was unreported (its SendError
     * raised by failQueued) is cleared but not pooled: the link may still report that write to it
     * as the listener of the link's own future, which must not reach another Connection's Send.
     */
    @Test
    void aSendFailedWithItsWriteUnreportedIsNotPooledAgain() {
        EmbeddedChannel one = new EmbeddedChannel();
        try {
            TapsConnection connection = new TapsConnection(one.eventLoop(), Runnable::run,
                    TransportProperties.reliableInorderStream(), Role.INITIATE, null);
            SendPath path = connection;
            int idleBefore = SendPool.ofThisThread().size();
            PendingSend send = path.pooledSend(Message.of("lost"), null);
            send.failUnreported(new io.taps.TransportServicesException(io.taps.ErrorReason.CONNECTION_CLOSED, "gone"));
            assertThat(SendPool.ofThisThread().size()).as("not pooled").isEqualTo(idleBefore);
            assertThat(field(send, "message")).as("but cleared").isNull();
            assertThat(path.pooledSend(Message.of("next"), null)).as("the next pooled Send is another").isNotSameAs(send);
        } finally {
            one.finishAndReleaseAll();
        }
    }

    private static Object field(Object owner, String name) {
        try {
            // Declared by the object's class or, for a Connection, by one of its layers (SendPath).
            java.lang.reflect.Field field = null;
            for (Class<?> type = owner.getClass(); field == null; type = type.getSuperclass()) {
                field = java.util.Arrays.stream(type.getDeclaredFields()).filter(f -> f.getName().equals(name))
                        .findFirst().orElse(null);
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
