package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.taps.MessageContext;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * What a {@link FramerRuntime} holds only now and then (issue 21 figure 12): input that spans
 * buffers, a Message earmarked beyond what arrived, a Message framed as several buffers or held
 * in parts, a handoff to a prepended framer, and the {@link FramerChain} of several framers (or
 * of one whose outcome is pending). A framed echo of whole Messages needs none of it, so a
 * Connection keeps none of it: the handler makes it on first need and drops it once
 * {@link #idle()} again (fields here were 48 B of the handler's 96, kept by every Connection).
 * Event loop only.
 */
final class RareState {
    /** The input after the handler's head buffer, made on first use. */
    private ArrayDeque<ByteBuf> laterInput;
    /** The readable bytes of {@link #laterInput}, untouched until each becomes the head. */
    private int laterBytes;
    /** Where each of {@link #laterInput} came from, in step with it. */
    private ArrayDeque<FramerInput.Origin> laterOrigins;
    /** Where the handler's head buffer came from, null for network bytes. */
    FramerInput.Origin headOrigin;
    /** Bytes of the Message being delivered that are still to arrive, and its context. */
    long earmark;
    MessageContext earmarkContext;
    /** The buffers the framer sent for one Message after the first (the handler keeps the first). */
    private ArrayList<ByteBuf> laterCollected;
    /** Work for after the framer's current call: starting a prepended framer with the rest of the input. */
    Runnable handoff;
    /** The stack, while there are several framers or the outcome of the one is pending. */
    FramerChain chain;
    /** The parts of a partially sent Message a shared built-in framer holds for this Connection ({@link HeaderCodec}). */
    CompositeByteBuf heldParts;

    boolean idle() {
        return (laterInput == null || laterInput.isEmpty()) && headOrigin == null && earmark == 0
                && earmarkContext == null && (laterCollected == null || laterCollected.isEmpty()) && handoff == null
                && chain == null && heldParts == null;
    }

    void addLater(ByteBuf data, FramerInput.Origin origin) {
        if (laterInput == null) {
            laterInput = new ArrayDeque<>(4);
            laterOrigins = new ArrayDeque<>(4);
        }
        laterInput.add(data);
        laterOrigins.add(origin);
        laterBytes += data.readableBytes();
    }

    int laterBytes() {
        return laterBytes;
    }

    int laterInputCount() {
        return laterInput == null ? 0 : laterInput.size();
    }

    java.util.Iterator<ByteBuf> laterInput() {
        return laterInput == null ? java.util.Collections.emptyIterator() : laterInput.iterator();
    }

    /** Moves the next later buffer to the head: returns it, with its origin in {@link #headOrigin}. */
    ByteBuf pollLater() {
        if (laterInput == null || laterInput.isEmpty()) {
            headOrigin = null;
            return null;
        }
        FramerInput.Origin origin = laterOrigins.poll();
        headOrigin = origin == FramerInput.RAW ? null : origin;
        ByteBuf next = laterInput.poll();
        laterBytes -= next.readableBytes();
        return next;
    }

    void collect(ByteBuf data) {
        if (laterCollected == null) {
            laterCollected = new ArrayList<>(2);
        }
        laterCollected.add(data);
    }

    boolean collectedMore() {
        return laterCollected != null && !laterCollected.isEmpty();
    }

    /** {@code first} and the later collected buffers as one composite; the list is emptied. */
    CompositeByteBuf drainCollected(io.netty.buffer.ByteBufAllocator alloc, ByteBuf first) {
        CompositeByteBuf composite = alloc.compositeBuffer(1 + laterCollected.size());
        composite.addComponent(true, first);
        for (ByteBuf buffer : laterCollected) {
            composite.addComponent(true, buffer);
        }
        laterCollected.clear();
        return composite;
    }

    void releaseCollected() {
        if (laterCollected != null) {
            for (ByteBuf buffer : laterCollected) {
                ReferenceCountUtil.safeRelease(buffer);
            }
            laterCollected.clear();
        }
    }

    void releaseHeldParts() {
        if (heldParts != null) {
            heldParts.release();
            heldParts = null;
        }
    }
}
