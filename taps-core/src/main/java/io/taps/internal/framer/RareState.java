package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.taps.MessageContext;
import java.util.ArrayDeque;

/**
 * What a {@link FramerRuntime} holds only now and then (issue 21 figure 12): input that spans
 * buffers, a Message earmarked beyond what arrived, a Message held in parts, a handoff to a
 * prepended framer, and the {@link FramerChain} of several framers (or of one whose outcome is
 * pending). A framed echo of whole Messages needs none of it, so a Connection keeps none of it:
 * the handler makes it on first need and drops it once {@link #idle()} again (fields here were
 * 48 B of the handler's 96, kept by every Connection). Event loop only.
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
    /** Work for after the framer's current call: starting a prepended framer with the rest of the input. */
    Runnable handoff;
    /** The stack, while there are several framers or the outcome of the one is pending. */
    FramerChain chain;
    /** The parts of a partially sent Message a shared built-in framer holds for this Connection ({@link HeaderCodec}). */
    CompositeByteBuf heldParts;

    boolean idle() {
        return (laterInput == null || laterInput.isEmpty()) && headOrigin == null && earmark == 0
                && earmarkContext == null && handoff == null && chain == null && heldParts == null;
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

    void releaseHeldParts() {
        if (heldParts != null) {
            heldParts.release();
            heldParts = null;
        }
    }
}
