package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;

/**
 * One outstanding Receive call with its limits. It is also the stage {@code receive}
 * returns and the task that hands the call to the event loop: one object per Receive (issue 21,
 * allocation per round trip).
 *
 * <p>A Receive made by {@code receiveWithEvents} is {@linkplain #pooled pooled}: no stage is handed
 * out, so once its Received, ReceivedPartial or ReceiveError has been raised it goes back to its
 * event loop thread's {@link ReceivePool} for the next such call of any Connection of that loop.
 * Its CompletableFuture half is never completed.
 *
 * <p>Whether it is pooled is the sign of its kept maxLength (which is 1 or more), not a boolean
 * field: the boolean took every waiting Receive from 32 to 40 B, and an echoing Connection always
 * has one waiting (issue 21 figure 12).
 */
final class ReceiveRequest extends CompletableFuture<Message> implements Runnable {
    /** {@code minIncompleteLength} when the application gave none. */
    static final int UNSPECIFIED = -1;

    /** The receive path of the Connection it serves; a pooled Receive is given to the next one that takes it. */
    private ReceivePath path;
    /**
     * minIncompleteLength (-1 unspecified), or for a Receive whose Message borrows the receive
     * buffer (receiveBorrowedWithEvents) {@code -3 - minIncompleteLength}, at most -2: a boolean
     * would take every Receive from 32 to 40 B. A borrowing minimum is capped at
     * {@link ReceivePath#RECEIVE_HARD_CAP}, which is all a minimum can ask for anyway.
     */
    private int encodedMin;
    /** maxLength, negated when this Receive is pooled (see the class comment). */
    private int signedMaxLength;

    ReceiveRequest(ReceivePath path, int minIncompleteLength, int maxLength, boolean pooled) {
        this(path, minIncompleteLength, maxLength, pooled, false);
    }

    /** A Receive made afresh, borrowing or not. */
    ReceiveRequest(ReceivePath path, int minIncompleteLength, int maxLength, boolean pooled, boolean borrows) {
        this.path = path;
        this.encodedMin = encode(minIncompleteLength, borrows);
        this.signedMaxLength = pooled ? -maxLength : maxLength;
    }

    /** Makes this (idle, pooled) Receive ask for the given limits, for {@code receiver}. */
    void reuse(ReceivePath receiver, int minIncomplete, int max, boolean borrowing) {
        path = receiver;
        encodedMin = encode(minIncomplete, borrowing);
        signedMaxLength = -max;
    }

    private static int encode(int minIncompleteLength, boolean borrows) {
        return borrows ? -3 - (int) Math.min(minIncompleteLength, ReceivePath.RECEIVE_HARD_CAP) : minIncompleteLength;
    }

    /** minIncompleteLength as asked (capped when borrowing, see {@link #encodedMin}), or {@link #UNSPECIFIED}. */
    int minIncompleteLength() {
        return encodedMin >= UNSPECIFIED ? encodedMin : -3 - encodedMin;
    }

    /** Whether the Message delivered to this Receive borrows the receive buffer instead of a copy. */
    boolean borrows() {
        return encodedMin < UNSPECIFIED;
    }

    /** The most bytes one delivery to this Receive may carry (RFC 9622 §9.3.1). */
    int maxLength() {
        return Math.abs(signedMaxLength);
    }

    /** Whether this Receive reports only through events and is reused once it has ended. */
    boolean pooled() {
        return signedMaxLength < 0;
    }

    /**
     * Received or ReceivedPartial is about to reach the application's handler: a pooled Receive goes
     * back to its pool first, so that the handler's next receiveWithEvents reuses this very object.
     * An echo server's Connection then keeps one Receive, the waiting one, instead of that one and
     * an idle spare (40 B of every echoing Connection, issue 21 figure 12). Nobody but taps holds a
     * pooled Receive, and {@link #deliver} leaves it alone, so reusing it inside the handler is safe.
     */
    void handingOver() {
        if (pooled()) {
            path.recycle(this);
        }
    }

    /** Lets go of its Connection before it waits in its {@link ReceivePool}; on the event loop. */
    void poolIdle() {
        path = null;
    }

    /** Received or ReceivedPartial was raised: completes the stage (a pooled Receive was recycled before). */
    void deliver(Message message) {
        if (!pooled()) {
            complete(message);
        }
    }

    /** ReceiveError was raised (or the Receive ended silently): fails the stage, or recycles. */
    void fail(Throwable error) {
        if (pooled()) {
            path.recycle(this);
        } else {
            completeExceptionally(error);
        }
    }

    /** Queues the Receive, on the event loop. */
    @Override
    public void run() {
        path.request(this);
    }

    /** Refuses limits Receive (RFC 9622 §9.3.1) cannot honour, on the caller's thread. */
    static void checkLimits(int minIncompleteLength, int maxLength) {
        if (maxLength < 1 || (minIncompleteLength < 0 && minIncompleteLength != UNSPECIFIED)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "receive needs maxLength >= 1 and minIncompleteLength >= 0, got min=" + minIncompleteLength
                            + " max=" + maxLength);
        }
    }
}
