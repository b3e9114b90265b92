package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Message;
import io.taps.MessageContext;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The scheduler of Messages taps holds back: its rules, and the cost of its usual case. */
class SendQueueTest {

    private static PendingSend send(MessageContext context, int priority, boolean ordered, boolean isFinal) {
        PendingSend send = new PendingSend(null, Message.of(new byte[] {1}), null, context, true, false);
        send.priority = priority;
        send.ordered = ordered;
        send.isFinal = isFinal;
        return send;
    }

    @Test
    void anEmptyQueueHasNothingToWrite() {
        assertThat(InboundQueueTest.detached().pollNext(null)).isNull();
    }

    @Test
    void lowerPriorityGoesFirstButNeverOvertakesAnOrderedMessageOrAnEarlierPart() {
        SendQueue queue = InboundQueueTest.detached();
        MessageContext split = MessageContext.create();
        PendingSend orderedFirst = send(MessageContext.create(), 5, true, false);
        PendingSend orderedUrgent = send(MessageContext.create(), 0, true, false);
        PendingSend partOne = send(split, 3, false, false);
        PendingSend partTwo = send(split, 1, false, false);
        PendingSend unorderedUrgent = send(MessageContext.create(), 2, false, false);
        PendingSend last = send(MessageContext.create(), 0, false, true);
        for (PendingSend send : new PendingSend[] {orderedFirst, orderedUrgent, partOne, partTwo, unorderedUrgent, last}) {
            queue.add(send);
        }

        assertThat(queue.pollNext(null)).isSameAs(unorderedUrgent);
        assertThat(queue.pollNext(null)).isSameAs(partOne);
        assertThat(queue.pollNext(null)).isSameAs(partTwo);
        assertThat(queue.pollNext(null)).isSameAs(orderedFirst);
        assertThat(queue.pollNext(null)).isSameAs(orderedUrgent);
        assertThat(queue.pollNext(null)).isSameAs(last);
        assertThat(queue.noSendQueued()).isTrue();
        assertThat(queue.queuedSendBytes()).isZero();
    }

    /** The usual queue holds one Send; taking it made a map per poll (3-4% of a TCP connect + close's bytes). */
    @Test
    void takingALoneSendAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        SendQueue queue = InboundQueueTest.detached();
        PendingSend lone = send(MessageContext.create(), 0, true, false);
        for (int i = 0; i < 20_000; i++) {
            queue.add(lone);
            queue.pollNext(null);
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        int taken = 0;
        for (int i = 0; i < 10_000; i++) {
            queue.add(lone);
            if (queue.pollNext(null) == lone) {
                taken++;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(taken).isEqualTo(10_000);
        // A map per poll would be hundreds of kilobytes here; the bound leaves room for the measurement.
        assertThat(allocated).isLessThan(10_000);
    }

    /** A queue keeps a list only while it holds two Sends or more: a list kept is ~80 B of every Connection that queued. */
    @Test
    void aQueueKeepsNoListOnceItEmpties() throws ReflectiveOperationException {
        SendQueue queue = InboundQueueTest.detached();
        PendingSend one = send(MessageContext.create(), 0, true, false);
        PendingSend two = send(MessageContext.create(), 0, true, false);
        queue.add(one);
        assertThat(field(queue, "entries")).as("no list for a lone Send").isNull();
        queue.add(two);
        assertThat(queue.pollNext(null)).isSameAs(one);
        assertThat(queue.pollNext(null)).isSameAs(two);
        assertThat(queue.noSendQueued()).isTrue();
        assertThat(field(queue, "entries")).as("the list goes when the queue empties").isNull();
        queue.add(one);
        queue.add(two);
        assertThat(queue.drainAll()).containsExactly(one, two);
        assertThat(field(queue, "entries")).isNull();
        assertThat(queue.queuedSendBytes()).isZero();
        queue.add(two);
        assertThat(queue.remove(two)).isTrue();
        assertThat(queue.noSendQueued()).isTrue();
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field field = SendQueue.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    /** A bulk sender's queue: many ordered Sends. Each poll scanned the queue with a new map. */
    @Test
    void anOrderedQueueDrainsInOrderWithoutAMapPerPoll() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        SendQueue queue = InboundQueueTest.detached();
        PendingSend[] sends = new PendingSend[16];
        for (int i = 0; i < sends.length; i++) {
            sends[i] = send(MessageContext.create(), sends.length - i, true, false);
        }
        for (int round = 0; round < 2_000; round++) {
            for (PendingSend send : sends) {
                queue.add(send);
            }
            while (queue.pollNext(null) != null) {
                // warm-up
            }
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        boolean inOrder = true;
        for (int round = 0; round < 1_000; round++) {
            for (PendingSend send : sends) {
                queue.add(send);
            }
            for (PendingSend expected : sends) {
                inOrder &= queue.pollNext(null) == expected;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(inOrder).as("ordered Sends never overtake, whatever their priority").isTrue();
        assertThat(queue.noSendQueued()).isTrue();
        // A map per poll is ~300 B, ~5 KB a round of 16; the list a queue of two or more Sends makes
        // (and drops when it empties) is ~330 B a round.
        assertThat(allocated / 1_000).as("bytes per round of 16 Sends").isLessThan(1_500);
    }

    @Test
    void anOrderedFinalSendWaitsForTheOnesBehindIt() {
        SendQueue queue = InboundQueueTest.detached();
        PendingSend last = send(MessageContext.create(), 0, true, true);
        PendingSend next = send(MessageContext.create(), 0, true, false);
        queue.add(last);
        queue.add(next);

        assertThat(queue.pollNext(null)).isNull();
        queue.remove(next);
        assertThat(queue.pollNext(null)).isSameAs(last);
    }

    @Test
    void anUnorderedSendStillOvertakesAfterOrderedOnesLeft() {
        SendQueue queue = InboundQueueTest.detached();
        PendingSend ordered = send(MessageContext.create(), 5, true, false);
        PendingSend unordered = send(MessageContext.create(), 1, false, false);
        queue.add(ordered);
        queue.add(unordered);
        queue.add(send(MessageContext.create(), 9, true, false));

        assertThat(queue.pollNext(null)).isSameAs(unordered);
        assertThat(queue.pollNext(null)).isSameAs(ordered);
        assertThat(queue.drainAll()).hasSize(1);
        queue.add(unordered);
        queue.add(ordered);
        assertThat(queue.pollNext(null)).isSameAs(unordered);
    }
}
