package io.taps.framer;

import io.netty.buffer.ByteBuf;
import io.taps.MessageContext;

/**
 * A Message Framer (RFC 9622 §9.1.2, RFC 9623 §6, checklist C-13, M-50..M-55): a data translation
 * layer between the application's Messages and a byte-stream protocol stack. taps calls these
 * methods for the events of RFC 9623 §6.1; the framer answers through the calls of its
 * {@link FramerContext}.
 *
 * <p>Every method runs on the Connection's event loop, one at a time, so a framer needs no
 * locking; it must never block. One framer instance serves one Connection (or one establishment
 * attempt), made by its {@link FramerFactory}, unless the factory shares one immutable,
 * thread-safe instance, as the built-in length-prefix and TLV factories do: such a framer keeps
 * per-Connection state only in what it is given (the {@link FramerContext}).
 *
 * <p>Events of RFC 9623 §6.1 and their methods:
 * <ul>
 *   <li>Start: {@link #start}, once the transport below is ready (TCP connected, TLS handshake
 *       done). Ready waits until every framer of the Connection has called
 *       {@link FramerContext#makeConnectionReady()}; the default does so at once. A framer that
 *       calls {@link FramerContext#failConnection} before then rejects the candidate: the attempt
 *       fails with that error and racing moves on to the next candidate.</li>
 *   <li>Stop: {@link #stop}, when the Connection's flow is gone.</li>
 *   <li>NewSentMessage (§6.2): {@link #newSentMessage}; the framer passes the framed bytes to
 *       {@link FramerContext#send}, normally a small header buffer plus the original data itself,
 *       not a copy (M-50). (The built-in framers copy only heap payloads of at most 2 KiB, into
 *       the direct buffer the socket write needs anyway.)</li>
 *   <li>HandleReceivedData (§6.3): {@link #handleReceivedData}; the framer inspects bytes with
 *       {@link FramerContext#parse}, skips headers with {@link FramerContext#advanceReceiveCursor}
 *       and hands Messages up with {@link FramerContext#deliverAndAdvanceReceiveCursor} or
 *       {@link FramerContext#deliver} (M-51, M-52). It is called again as long as it makes
 *       progress, so it may handle one Message per call; returning without progress means "need
 *       more bytes".</li>
 * </ul>
 */
public interface Framer {

    /**
     * Start (RFC 9623 §6.1): the transport below is ready. Send a handshake here if the framing
     * protocol has one, and call {@link FramerContext#makeConnectionReady()} when the Connection
     * may become Ready, now or later (e.g. after the peer's reply). The default is ready at once.
     */
    default void start(FramerContext context) {
        context.makeConnectionReady();
    }

    /** Stop (RFC 9623 §6.1): the Connection's flow has ended; release what the framer holds. */
    default void stop(FramerContext context) {
    }

    /**
     * NewSentMessage (RFC 9623 §6.2): frame one Message (or one part of a partial Message). The
     * framer owns {@code data}: it passes it on with {@link FramerContext#send} (without copying
     * it) or releases it. Throwing a {@link io.taps.TransportServicesException} refuses this
     * send (SendError with its reason) without harming the Connection.
     *
     * <p>The default passes the bytes on unchanged, for framers that act only on received data
     * (a greeting or handshake before Ready, a framer that later steps aside).
     *
     * @param context the calls this framer can make
     * @param data the Message's bytes, a read-only view the framer now owns
     * @param messageContext the MessageContext the application sent the Message with (framer values included)
     * @param endOfMessage false for a partial send that more parts with the same context follow
     */
    default void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
            boolean endOfMessage) {
        context.send(data);
    }

    /**
     * The largest Message this framer frames and deframes, in bytes, or -1 when it sets no limit.
     * taps reports it as the Connection's {@code sendMsgMaxLen} and {@code recvMsgMaxLen} (RFC 9622
     * §8.1.11.5, §8.1.11.6) and refuses a larger Send with MessageTooLarge before framing it.
     */
    default long maxMessageSize() {
        return -1;
    }

    /**
     * HandleReceivedData (RFC 9623 §6.3): new bytes are at the receive cursor, or the input ended
     * ({@link FramerContext#inputEnded()}).
     */
    void handleReceivedData(FramerContext context);
}
