package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * The buffers a framer sends while it frames one Message ({@link FramerSender#write}), which
 * leave as one write. The framing thread holds them, not each runtime: a field for the first
 * buffer took every framed Connection's runtime from 32 to 40 B (issue 21 figure 12), and the
 * later ones made a {@link RareState} per Message of a framer that sends header and payload apart.
 *
 * <p>A write made while another is framing on the same thread (a framer that makes another
 * Connection send, or its own) opens the next collector of the thread's chain, so no Message
 * takes another's buffers. The chain's links stay for reuse and hold nothing between writes.
 */
final class CollectedSend {
    private static final FastThreadLocal<CollectedSend> OUTERMOST = new FastThreadLocal<>() {
        @Override
        protected CollectedSend initialValue() {
            return new CollectedSend();
        }
    };
    /** A list grown past this by one Message is not kept for the thread's later writes. */
    private static final int KEPT_CAPACITY = 16;

    /** The runtime framing into this collector, null while it is free. */
    private FramerSender owner;
    private ByteBuf first;
    /** The buffers after the first, made on first use (a framer sending header, payload, trailer). */
    private ArrayList<ByteBuf> later;
    /** The collector of the next level of nesting, made on first use. */
    private CollectedSend nested;

    private CollectedSend() {
    }

    /** A free collector of the calling thread's chain, now {@code runtime}'s: {@link #finish} or {@link #release} it. */
    static CollectedSend open(FramerSender runtime) {
        CollectedSend collector = OUTERMOST.get();
        while (collector.owner != null) {
            if (collector.nested == null) {
                collector.nested = new CollectedSend();
            }
            collector = collector.nested;
        }
        collector.owner = runtime;
        return collector;
    }

    /**
     * The collector {@code runtime} frames into on the calling thread (its innermost, when it is
     * framing a Message inside the framing of another), or null: on another thread nothing of it is.
     */
    static CollectedSend of(FramerSender runtime) {
        CollectedSend found = null;
        for (CollectedSend collector = OUTERMOST.get(); collector != null; collector = collector.nested) {
            if (collector.owner == runtime) {
                found = collector;
            }
        }
        return found;
    }

    void add(ByteBuf data) {
        if (first == null) {
            first = data;
            return;
        }
        if (later == null) {
            later = new ArrayList<>(2);
        }
        later.add(data);
    }

    /**
     * What was collected, as one buffer (a composite of the buffers, in the order sent, when there
     * were several), or null when the framer sent nothing; frees this collector.
     */
    ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf single = first;
        if (later == null || later.isEmpty()) {
            free();
            return single;
        }
        CompositeByteBuf composite;
        try {
            composite = alloc.compositeBuffer(1 + later.size());
        } catch (Throwable thrown) {
            release();
            throw thrown;
        }
        composite.addComponent(true, single);
        for (ByteBuf buffer : later) {
            composite.addComponent(true, buffer);
        }
        free();
        return composite;
    }

    /** Releases what was collected (the write failed) and frees this collector. */
    void release() {
        if (first != null) {
            ReferenceCountUtil.safeRelease(first);
        }
        if (later != null) {
            for (ByteBuf buffer : later) {
                ReferenceCountUtil.safeRelease(buffer);
            }
        }
        free();
    }

    private void free() {
        owner = null;
        first = null;
        if (later != null) {
            if (later.size() > KEPT_CAPACITY) {
                later = null;
            } else {
                later.clear();
            }
        }
    }
}
