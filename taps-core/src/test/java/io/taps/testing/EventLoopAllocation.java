package io.taps.testing;

import io.netty.util.ResourceLeakDetector;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;

/**
 * Issue 21: the bytes a Connection's event loop thread allocates per request/response round trip
 * (ThreadMXBean: bytes, not time, so the figure does not depend on the machine's load). A closed
 * loop of 64 B requests runs on the client's event loop, as an event-driven application's would:
 * each response sends the next request from the Received handler itself, so the thread measured
 * does all of a round trip's client-side work, and only it. Every response is checked against the
 * request (the peer echoes). Netty's leak detector is off while the measured loop runs, since at
 * PARANOID it records a stack trace per buffer access, which is allocation of its own.
 */
public final class EventLoopAllocation {
    public static final int PAYLOAD = 64;

    private final com.sun.management.ThreadMXBean threads;
    private final int warmUp;
    private final int measured;

    /**
     * @param warmUp round trips before the measured ones (JIT, pools, the path's first-use objects)
     * @param measured round trips measured
     */
    public EventLoopAllocation(int warmUp, int measured) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported(),
                "this JVM cannot count the bytes a thread allocates");
        threads = (com.sun.management.ThreadMXBean) bean;
        threads.setThreadAllocatedMemoryEnabled(true);
        this.warmUp = warmUp;
        this.measured = measured;
    }

    /**
     * Runs the warm-up and the measured loop on one Connection of {@code preconnection}, then closes
     * it; returns bytes per measured round trip.
     *
     * @param sendWithEvents requests go out through sendWithEvents of one reused Message and responses
     *     come through receiveWithEvents, else through send of a new Message and receive, each a stage
     */
    public long perRoundTrip(Preconnection preconnection, boolean sendWithEvents) {
        return perRoundTrip(preconnection, new ClosedLoop(sendWithEvents, false));
    }

    /**
     * {@link #perRoundTrip} with {@code sendWithEvents} of one reused Message and responses through
     * {@code receiveBorrowedWithEvents}, each checked inside its handler while it is lent.
     */
    public long perRoundTripBorrowing(Preconnection preconnection) {
        return perRoundTrip(preconnection, new ClosedLoop(true, true));
    }

    private long perRoundTrip(Preconnection preconnection, ClosedLoop loop) {
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        Connection connection = preconnection.initiate(loop);
        try {
            Await.result(connection.ready());
            loop.run(connection, warmUp);
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
            long before = threads.getThreadAllocatedBytes(loop.eventLoop.getId());
            loop.run(connection, measured);
            long allocated = threads.getThreadAllocatedBytes(loop.eventLoop.getId()) - before;
            ResourceLeakDetector.setLevel(leakLevel);
            System.out.println("EventLoopAllocation: " + preconnection.remoteEndpoints()
                    + (loop.borrowing ? " receiveBorrowedWithEvents " : loop.reused != null ? " sendWithEvents " : " send ")
                    + allocated / measured + " bytes per round trip on the client's event loop");
            return allocated / measured;
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
            connection.close();
            Await.result(connection.closed());
        }
    }

    private static final class ClosedLoop implements ConnectionEventHandler {
        private final byte[] request = new byte[PAYLOAD];
        private final Message expected;
        /** Whether requests go out through sendWithEvents of this one Message, or send of a new one each. */
        private final Message reused;
        /** Whether responses come through receiveBorrowedWithEvents (and must be lent). */
        private final boolean borrowing;
        private volatile Thread eventLoop;
        private int remaining;
        private CompletableFuture<Void> done;

        ClosedLoop(boolean sendWithEvents, boolean borrowing) {
            this.borrowing = borrowing;
            for (int i = 0; i < PAYLOAD; i++) {
                request[i] = (byte) (i * 7 + 1);
            }
            expected = Message.of(request);
            reused = sendWithEvents ? Message.wrap(request) : null;
        }

        private void receiveResponse(Connection connection) {
            if (borrowing) {
                connection.receiveBorrowedWithEvents(PAYLOAD, PAYLOAD);
            } else if (reused != null) {
                connection.receiveWithEvents(PAYLOAD, PAYLOAD);
            } else {
                connection.receive(PAYLOAD, PAYLOAD);
            }
        }

        private void sendRequest(Connection connection) {
            if (reused != null) {
                connection.sendWithEvents(reused);
            } else {
                connection.send(Message.wrap(request));
            }
        }

        void run(Connection connection, int roundTrips) {
            done = new CompletableFuture<>();
            remaining = roundTrips;
            receiveResponse(connection);
            sendRequest(connection);
            Await.result(done, java.time.Duration.ofSeconds(60));
        }

        @Override
        public void received(Connection connection, Message message) {
            eventLoop = Thread.currentThread();
            if (message.length() != PAYLOAD || !message.contentEquals(expected) || message.isBorrowed() != borrowing) {
                done.completeExceptionally(new AssertionError("wrong response: " + Arrays.toString(message.bytes())));
                return;
            }
            if (--remaining == 0) {
                done.complete(null);
                return;
            }
            receiveResponse(connection);
            sendRequest(connection);
        }

        @Override
        public void receivedPartial(Connection connection, Message message) {
            done.completeExceptionally(new AssertionError("a 64 B response arrived in parts"));
        }

        @Override
        public void sendError(Connection connection, io.taps.MessageContext context, TransportServicesException error) {
            done.completeExceptionally(error);
        }

        @Override
        public void receiveError(Connection connection, io.taps.MessageContext context, TransportServicesException error) {
            done.completeExceptionally(error);
        }

        @Override
        public void connectionError(Connection connection, TransportServicesException error) {
            done.completeExceptionally(error);
        }
    }
}
