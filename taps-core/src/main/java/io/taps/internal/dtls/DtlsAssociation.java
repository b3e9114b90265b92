package io.taps.internal.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.security.SecurityOutcomes;
import io.taps.internal.security.TlsHandlers;
import io.taps.security.SecurityOutcome;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One DTLS 1.2 association (RFC 6347) driven by a JDK {@link SSLEngine} on one event loop: the
 * handshake with its retransmission timer (RFC 6347 §4.2.4: 1 s, doubling up to 60 s), every
 * record of a received datagram unwrapped in turn (a peer may pack several into one datagram), one
 * application record per Message, and close_notify. Ciphertext leaves through {@code output}, one
 * datagram per call. Not thread-safe: every method runs on {@link #loop}.
 */
final class DtlsAssociation {
    /** The largest plaintext of one DTLS record (RFC 6347 §4.1, 2^14). */
    static final int MAX_RECORD_PLAINTEXT = 16_384;
    private static final long INITIAL_RETRANSMIT_MILLIS = 1_000;
    private static final long MAX_RETRANSMIT_MILLIS = 60_000;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> output;
    private final CompletableFuture<SecurityOutcome> handshake = new CompletableFuture<>();
    private final long startMillis = System.currentTimeMillis();
    private ScheduledFuture<?> retransmitTimer;
    private ScheduledFuture<?> handshakeTimer;
    private long retransmitMillis = INITIAL_RETRANSMIT_MILLIS;
    private boolean closed;
    private Runnable onPeerClose = () -> { };

    DtlsAssociation(SSLEngine engine, EventLoop loop, ByteBufAllocator alloc, Consumer<ByteBuf> output) {
        this.engine = engine;
        this.loop = loop;
        this.alloc = alloc;
        this.output = output;
    }

    /** Completes with what the handshake negotiated, or fails with a typed (SecurityFailed, Timeout) error. */
    CompletableFuture<SecurityOutcome> handshake() {
        return handshake;
    }

    SSLEngine engine() {
        return engine;
    }

    boolean established() {
        return handshake.isDone() && !handshake.isCompletedExceptionally();
    }

    /** Starts the handshake (the client sends its ClientHello) and fails it after {@code timeout}. */
    void begin(Duration timeout) {
        limitHandshake(timeout);
        try {
            engine.beginHandshake();
            progress();
        } catch (SSLException | RuntimeException e) {
            fail(e);
        }
    }

    /** Fails the handshake with a Timeout when it has not completed after {@code timeout}. */
    void limitHandshake(Duration timeout) {
        handshakeTimer = loop.schedule(() -> fail(new TransportServicesException(ErrorReason.TIMEOUT,
                "DTLS handshake did not complete within " + timeout.toMillis() + " ms")),
                Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /**
     * Unwraps every record of one received datagram; application data goes to {@code plaintext}
     * (the caller owns each buffer). A record that does not authenticate after the handshake is
     * dropped, as RFC 6347 §4.1.2.7 asks, without ending the association.
     */
    void receive(ByteBuf datagram, Consumer<ByteBuf> plaintext) {
        if (closed) {
            return;
        }
        ByteBuffer src = datagram.nioBuffer();
        try {
            int rounds = 0;
            while (src.hasRemaining() && !closed && rounds++ < 64) {
                ByteBuf app = alloc.buffer(engine.getSession().getApplicationBufferSize());
                SSLEngineResult result;
                try {
                    result = engine.unwrap(src, app.nioBuffer(0, app.capacity()));
                } catch (SSLException | RuntimeException e) {
                    app.release();
                    throw e;
                }
                if (result.bytesProduced() > 0) {
                    app.writerIndex(result.bytesProduced());
                    plaintext.accept(app);
                } else {
                    app.release();
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    progress();
                    closedByPeer();
                    return;
                }
                progress();
                if (result.bytesConsumed() == 0) {
                    break;
                }
            }
        } catch (SSLException | RuntimeException e) {
            if (!handshake.isDone()) {
                fail(e);
            }
            // After the handshake a bad record is dropped (RFC 6347 §4.1.2.7).
        }
    }

    /** Encrypts one Message into one record; fails (never fragments) when it does not fit one record. */
    ByteBuf seal(ByteBuf plain) throws SSLException {
        int length = plain.readableBytes();
        if (length > MAX_RECORD_PLAINTEXT) {
            throw new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "message of " + length
                    + " bytes does not fit one DTLS record (" + MAX_RECORD_PLAINTEXT + " bytes); DTLS never fragments a Message");
        }
        ByteBuf out = alloc.buffer(engine.getSession().getPacketBufferSize());
        try {
            SSLEngineResult result = engine.wrap(plain.nioBuffer(), out.nioBuffer(0, out.capacity()));
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() != length) {
                throw new SSLException("DTLS could not seal a message of " + length + " bytes: " + result);
            }
            out.writerIndex(result.bytesProduced());
            return out;
        } catch (SSLException | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The record overhead of the negotiated cipher suite: header, explicit nonce or IV, MAC or tag. */
    int recordOverhead() {
        return Math.max(13, engine.getSession().getPacketBufferSize() - engine.getSession().getApplicationBufferSize());
    }

    /** Sends close_notify (RFC 6347 §4.1, RFC 5246 §7.2.1) once; the association ends. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelTimers();
        engine.closeOutbound();
        try {
            flushHandshake(8);
        } catch (SSLException | RuntimeException ignored) {
            // The alert is a courtesy; the association ends either way.
        }
        if (!handshake.isDone()) {
            handshake.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "DTLS association closed during the handshake"));
        }
    }

    /** Fails the handshake with {@code cause}, classified as a TLS handshake failure is. */
    void fail(Throwable cause) {
        if (handshake.isDone()) {
            return;
        }
        TransportServicesException typed = cause instanceof TransportServicesException
                ? (TransportServicesException) cause : TlsHandlers.classify(cause);
        handshake.completeExceptionally(typed);
        closed = true;
        cancelTimers();
        try {
            engine.closeOutbound();
            flushHandshake(4);
        } catch (SSLException | RuntimeException ignored) {
            // An alert for the peer if the engine has one; nothing else to do.
        }
    }

    /** Drops the association without a word to the peer (a throw-away engine, a lost socket). */
    void abandon() {
        closed = true;
        cancelTimers();
    }

    boolean isClosed() {
        return closed;
    }

    /** What runs when the peer sent close_notify. */
    void onPeerClose(Runnable action) {
        this.onPeerClose = action;
    }

    private void closedByPeer() {
        if (!closed) {
            closed = true;
            cancelTimers();
            if (!handshake.isDone()) {
                handshake.completeExceptionally(new TransportServicesException(ErrorReason.SECURITY_FAILED,
                        "the DTLS peer closed the association during the handshake"));
            }
            onPeerClose.run();
        }
    }

    /** Runs delegated tasks, sends what the engine wants to send, and notices the end of the handshake. */
    private void progress() throws SSLException {
        boolean sent = false;
        for (int i = 0; i < 64; i++) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } else if (status == HandshakeStatus.NEED_WRAP) {
                sent |= wrapOnce() > 0;
            } else if (status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                SSLEngineResult result = engine.unwrap(EMPTY, ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()));
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    closedByPeer();
                    return;
                }
            } else {
                break;
            }
        }
        if (!handshake.isDone() && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && engine.getSession().getCipherSuite() != null && !engine.getSession().getCipherSuite().startsWith("SSL_NULL")) {
            cancelTimers();
            handshake.complete(SecurityOutcomes.of(engine, startMillis));
        } else if (!handshake.isDone() && sent) {
            scheduleRetransmit();
        }
    }

    private int wrapOnce() throws SSLException {
        ByteBuf out = alloc.buffer(engine.getSession().getPacketBufferSize());
        SSLEngineResult result;
        try {
            result = engine.wrap(EMPTY, out.nioBuffer(0, out.capacity()));
        } catch (SSLException | RuntimeException e) {
            out.release();
            throw e;
        }
        int produced = result.bytesProduced();
        if (produced > 0) {
            out.writerIndex(produced);
            output.accept(out);
        } else {
            out.release();
        }
        return produced;
    }

    private void flushHandshake(int max) throws SSLException {
        for (int i = 0; i < max && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
            if (wrapOnce() == 0) {
                break;
            }
        }
    }

    private void scheduleRetransmit() {
        if (retransmitTimer != null) {
            retransmitTimer.cancel(false);
        }
        retransmitTimer = loop.schedule(this::retransmit, retransmitMillis, TimeUnit.MILLISECONDS);
    }

    /** The peer's next flight did not come in time: the engine sends its last flight again (RFC 6347 §4.2.4). */
    private void retransmit() {
        if (closed || handshake.isDone()) {
            return;
        }
        retransmitMillis = Math.min(MAX_RETRANSMIT_MILLIS, retransmitMillis * 2);
        try {
            // In NEED_UNWRAP, a wrap makes the JDK's DTLS engine re-send the flight it sent last.
            int produced = wrapOnce();
            for (int i = 0; i < 16 && produced > 0 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                produced = wrapOnce();
            }
            scheduleRetransmit();
        } catch (SSLException | RuntimeException e) {
            fail(e);
        }
    }

    private void cancelTimers() {
        if (retransmitTimer != null) {
            retransmitTimer.cancel(false);
        }
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
    }
}
