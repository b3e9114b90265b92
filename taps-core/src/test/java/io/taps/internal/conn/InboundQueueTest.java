package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.taps.MessageContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inbound queue counts memory, not payload, and right-sizes what it keeps (issue 15, items 1
 * and 2): small reads are copied out of the link's buffers, which are released at once.
 */
class InboundQueueTest {
    private final ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;

    /**
     * A Connection of no event loop, used only as its inbound queue: the queue is a layer of the Connection
     * object (one object per Connection, issue 21 figure 12), and its rules need nothing else.
     */
    static TapsConnection detached() {
        return new TapsConnection(null, null, io.taps.properties.TransportProperties.reliableInorderStream(),
                io.taps.properties.Role.INITIATE, null);
    }

    @Test
    void oneByteStreamReadsAreCoalescedAndCostAboutTheirPayload() {
        InboundQueue queue = detached();
        List<ByteBuf> reads = new ArrayList<>();
        int count = 20_000;
        for (int i = 0; i < count; i++) {
            ByteBuf read = pooled.directBuffer(2048).writeByte(i);
            reads.add(read);
            queue.addStreamData(read);
        }
        assertThat(reads.stream().filter(read -> read.refCnt() != 0)).as("reads not released after the copy").isEmpty();
        assertThat(queue.bytes()).isEqualTo(count);
        // Chunks double from 512 B to 16 KiB: at most the payload plus one chunk, plus per-chunk overhead.
        assertThat(queue.memory()).isLessThanOrEqualTo(count + InboundQueue.CHUNK_MAX
                + (count / InboundQueue.CHUNK_MAX + 8) * InboundQueue.UNIT_OVERHEAD);
        assertThat(queue.units()).isLessThan(count / 500);

        byte[] expected = new byte[count];
        for (int i = 0; i < count; i++) {
            expected[i] = (byte) i;
        }
        assertThat(queue.takeMessageBytes(count, false)).isEqualTo(expected);
        assertThat(queue.bytes()).isZero();
        queue.releaseAll();
        assertThat(queue.memory()).isZero();
    }

    @Test
    void aFullLargeReadIsKeptAsItIsAndCountedAtItsCapacity() {
        InboundQueue queue = detached();
        ByteBuf read = pooled.directBuffer(8192, 8192).writeZero(6000);
        queue.addStreamData(read);
        assertThat(read.refCnt()).as("kept, not copied").isEqualTo(1);
        assertThat(queue.memory()).isEqualTo(8192 + InboundQueue.UNIT_OVERHEAD);
        assertThat(queue.bytes()).as("payload a Receive can wait for").isEqualTo(6000);
        assertThat(queue.takeMessageBytes(6000, false)).hasSize(6000);
        assertThat(queue.bytes()).isZero();
        queue.releaseAll();
        assertThat(read.refCnt()).isZero();
        assertThat(queue.memory()).isZero();
    }

    @Test
    void aSmallDatagramInA64KiBufferIsCopiedToItsExactSize() {
        InboundQueue queue = detached();
        ByteBuf datagram = pooled.directBuffer(65_536).writeByte(1);
        assertThat(InboundQueue.admissionCost(datagram)).isEqualTo(1 + InboundQueue.UNIT_OVERHEAD);
        queue.addMessage(datagram, MessageContext.create(), true);
        assertThat(datagram.refCnt()).as("the 64 KiB receive buffer is released at once").isZero();
        assertThat(queue.memory()).isEqualTo(1 + InboundQueue.UNIT_OVERHEAD);
        assertThat(queue.takeFromHead(10)).containsExactly(1);
        assertThat(queue.memory()).isZero();
    }

    @Test
    void aSmallSliceCountsTheBufferItPinsUnlessCopied() {
        InboundQueue queue = detached();
        ByteBuf read = pooled.directBuffer(65_536).writeZero(65_536);
        ByteBuf bigSlice = read.retainedSlice(0, 40_000);
        ByteBuf smallSlice = read.retainedSlice(40_000, 10);
        read.release();
        queue.addMessage(bigSlice, MessageContext.create(), true);
        queue.addMessage(smallSlice, MessageContext.create(), true);
        assertThat(smallSlice.refCnt()).as("the small slice was copied and released").isZero();
        assertThat(bigSlice.refCnt()).as("the big slice is kept").isEqualTo(1);
        assertThat(queue.memory()).isEqualTo(65_536 + InboundQueue.UNIT_OVERHEAD + 10 + InboundQueue.UNIT_OVERHEAD);
        queue.releaseAll();
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void aSharedBudgetIsChargedAndDischargedWithTheQueue() {
        SharedReceiveBudget budget = new SharedReceiveBudget(1 << 20);
        InboundQueue first = detached();
        InboundQueue second = detached();
        first.shareBudget(budget);
        second.shareBudget(budget);
        first.addMessage(pooled.heapBuffer(64).writeInt(1), MessageContext.create(), true);
        second.addMessage(pooled.heapBuffer(64).writeInt(2), MessageContext.create(), true);
        assertThat(budget.used()).isEqualTo(first.memory() + second.memory()).isEqualTo(2L * (4 + InboundQueue.UNIT_OVERHEAD));
        first.takeFromHead(4);
        second.releaseAll();
        assertThat(budget.used()).isZero();
    }
}
