package io.taps.internal.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.taps.MessageContext;
import io.taps.internal.conn.Link;
import io.taps.internal.framer.FramedMessage;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.SingleChannelLink;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Link} over one bidirectional QUIC stream (design.md ): a byte stream like
 * TCP. Close ends the stream with FIN after queued data; Abort resets only this stream
 * (RESET_STREAM and STOP_SENDING), never the QUIC connection, which its {@link QuicSession} closes
 * when its last stream is gone.
 */
public final class QuicStreamLink extends SingleChannelLink {
    /** The application error code of a stream reset by Abort (RFC 9000 §19.4; taps defines no others). */
    static final int ABORT_ERROR_CODE = 0;

    private final QuicStreamChannel stream;
    private final QuicSession session;
    private final boolean framed;
    private final int framerLimit;
    private final boolean carriedEarlyData;
    /** Told when Close closes a stream that already completed in both directions (issue 13, defect 4). */
    private final ConnectionHandler handler;
    /** RFC 9218 urgency of this stream, from connPriority; quiche's default 3 matches connPriority's 100. */
    private int urgency = DEFAULT_URGENCY;
    /** Whether the stream shares bandwidth round-robin with equally urgent ones, from connScheduler. */
    private boolean incremental = true;
    private static final int DEFAULT_URGENCY = 3;

    QuicStreamLink(QuicStreamChannel stream, QuicSession session, boolean carriedEarlyData) {
        super(stream);
        this.stream = stream;
        this.session = session;
        this.framed = stream.pipeline().get("framer-0") != null;
        this.framerLimit = framed ? io.taps.internal.framer.FramerLimits.maxMessageSize(stream.pipeline()) : -1;
        this.carriedEarlyData = carriedEarlyData;
        this.handler = stream.pipeline().get(ConnectionHandler.class);
        if (handler != null) {
            // quiche frees a stream once both FINs went through, and Netty then closes its channel:
            // the closeFuture completes before channelInactive, so the handler knows it in time.
            stream.closeFuture().addListener(closed -> {
                boolean sendOnly = stream.type() == io.netty.handler.codec.quic.QuicStreamType.UNIDIRECTIONAL
                        && stream.isLocalCreated();
                if (stream.isOutputShutdown() && (sendOnly || stream.isInputShutdown())) {
                    handler.flowCompleted();
                }
            });
        }
    }

    /**
     * Client side: whether this stream's first message (InitiateWithSend, safelyReplayable) was sent
     * as 0-RTT early data (RFC 9001 §4.6.1), before the handshake was done. The server side cannot
     * tell: Netty 4.2.18 exposes no early-data-accepted signal and surfaces the stream after the
     * handshake completes.
     */
    public boolean carriedEarlyData() {
        return carriedEarlyData;
    }

    /** The QUIC connection this stream belongs to (for opening sibling streams, Q-16). */
    public QuicSession session() {
        return session;
    }

    /** The QUIC stream id (RFC 9000 §2.1). */
    public long streamId() {
        return stream.streamId();
    }

    /**
     * The QUIC connection's smoothed round-trip time estimate (RFC 9002 §5.3) on its active path,
     * read now from quiche's path statistics: empty when the connection is gone; completes on the
     * event loop.
     */
    public CompletionStage<Optional<Duration>> collectSmoothedRtt() {
        return session.collectSmoothedRtt();
    }

    /**
     * The last smoothed RTT read from the path statistics (refreshed in the background when older
     * than a second), for the transfer report: callable from any thread without waiting.
     */
    @Override
    public Optional<Duration> smoothedRtt() {
        return session.smoothedRtt();
    }

    /**
     * connPriority and connScheduler (RFC 9622 §8.1.2, §8.1.5; CP-02, CP-05) on QUIC, the one stack
     * here that multiplexes a group: quiche sends the streams of lower urgency (RFC 9218) first, and
     * among equal urgency round-robin when incremental, else one stream after the other.
     * connPriority 100 (the default) maps to urgency 3 (RFC 9218's default), every 33 more or less
     * one step, clamped to 0..7; FCFS and Priority scheduling are sequential, the others incremental.
     */
    @Override
    public boolean applyOption(io.taps.properties.Property<?> property, Object value) {
        // connTimeout and keepAliveTimeout belong to the QUIC connection, shared by its streams (one group).
        if (property == io.taps.properties.Property.CONN_TIMEOUT) {
            session.liveness().connTimeout((io.taps.properties.Timeout) value);
            return true;
        }
        if (property == io.taps.properties.Property.KEEP_ALIVE_TIMEOUT) {
            session.liveness().keepAliveTimeout((io.taps.properties.Timeout) value);
            return session.liveness().keepAliveWanted();
        }
        if (property == io.taps.properties.Property.CONN_PRIORITY) {
            urgency = urgencyOf((Integer) value);
        } else if (property == io.taps.properties.Property.CONN_SCHEDULER) {
            io.taps.properties.ConnectionScheduler scheduler = (io.taps.properties.ConnectionScheduler) value;
            incremental = scheduler != io.taps.properties.ConnectionScheduler.FCFS
                    && scheduler != io.taps.properties.ConnectionScheduler.PRIORITY;
        } else {
            return false;
        }
        stream.updatePriority(new io.netty.handler.codec.quic.QuicStreamPriority(urgency, incremental));
        return true;
    }

    /** The RFC 9218 urgency for a connPriority value (lower is more urgent in both). */
    static int urgencyOf(int connPriority) {
        return Math.max(0, Math.min(7, Math.round(connPriority * DEFAULT_URGENCY / 100f)));
    }

    /** The stream's priority as quiche has it (null until one was set), for tests and monitoring. */
    public io.netty.handler.codec.quic.QuicStreamPriority priority() {
        return stream.priority();
    }

    @Override
    public boolean framed() {
        return framed;
    }

    @Override
    public boolean byteStream() {
        return true;
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        session.liveness().sent();
        return stream.write(data);
    }

    @Override
    public ChannelFuture writeMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        session.liveness().sent();
        return framed ? stream.write(new FramedMessage(data, context, endOfMessage)) : stream.write(data);
    }

    /** The stream: a Send's reusable promise is one of its channel, so no future is made per write. */
    @Override
    public io.netty.channel.Channel writeChannel() {
        return stream;
    }

    @Override
    public void writeMessage(ByteBuf data, MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        session.liveness().sent();
        if (framed) {
            // The event loop thread's holder, not one per stream (FramedMessage.writeDown).
            FramedMessage.writeDown(stream, data, context, endOfMessage, promise);
        } else {
            stream.write(data, promise);
        }
    }

    /**
     * A msgReliable=false Message (RFC 9622 §9.1.3.7) goes out as one DATAGRAM frame of this
     * stream's QUIC connection (RFC 9221), past the framers, and arrives at the peer's datagram
     * Connection ({@link QuicDatagrams}); SendError when the peer lacks the extension or the
     * Message does not fit one frame.
     */
    @Override
    public ChannelFuture writeUnreliable(ByteBuf data, MessageContext context) {
        QuicDatagrams datagrams = session.datagrams();
        if (datagrams == null) {
            data.release();
            return stream.newFailedFuture(new io.taps.TransportServicesException(
                    io.taps.ErrorReason.INVALID_MESSAGE_PROPERTIES,
                    "this QUIC connection carries no DATAGRAM frames (RFC 9221)"));
        }
        session.liveness().sent();
        return datagrams.send(data);
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        if (!stream.isActive() || stream.isOutputShutdown()) {
            whenDone.run();
            return;
        }
        if (stream.type() == io.netty.handler.codec.quic.QuicStreamType.UNIDIRECTIONAL) {
            // Netty's shutdownOutput closes a send-only stream at once, dropping what quiche has not
            // taken yet; a FIN frame ends it after the data instead, and quiche frees it once acknowledged.
            stream.writeAndFlush(new io.netty.handler.codec.quic.DefaultQuicStreamFrame(
                    io.netty.buffer.Unpooled.EMPTY_BUFFER, true)).addListener(done -> whenDone.run());
            return;
        }
        stream.shutdownOutput().addListener(done -> whenDone.run());
    }

    @Override
    public void close(Runnable whenClosed) {
        session.sendOnlyConnectionEnded(stream);
        stream.close().addListener(closed -> {
            whenClosed.run();
            if (handler != null) {
                handler.linkClosedByConnection();
            }
        });
    }

    @Override
    public void reset() {
        session.sendOnlyConnectionEnded(stream);
        if (stream.isActive()) {
            // Both directions: RESET_STREAM for ours, STOP_SENDING for the peer's (RFC 9000 §3.5).
            stream.shutdown(ABORT_ERROR_CODE).addListener(done -> stream.close());
        } else {
            stream.close();
        }
    }

    @Override
    public void setReading(boolean read) {
        stream.config().setAutoRead(read);
        if (framed) {
            io.taps.internal.framer.ReceivePause.signal(stream, read);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return session.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    /** A QUIC stream is a byte stream: only its framers limit a Message (RFC 9622 §8.1.11.5). */
    @Override
    public int maxMessageSize() {
        return framerLimit;
    }

    @Override
    public Optional<String> applicationProtocol() {
        return session.applicationProtocol();
    }

    /** keepAlive is true only while probes really go out (the peer accepts DATAGRAM frames), see {@link QuicLiveness}. */
    @Override
    public java.util.Map<io.taps.properties.Property<?>, Object> appliedSelection() {
        java.util.Map<io.taps.properties.Property<?>, Object> applied = new java.util.HashMap<>();
        applied.put(io.taps.properties.Property.KEEP_ALIVE, session.liveness().keepAliveApplied());
        // QUIC declares these optional for its datagram Connections; a stream always is what it is.
        applied.put(io.taps.properties.Property.RELIABILITY, true);
        applied.put(io.taps.properties.Property.PRESERVE_ORDER, true);
        applied.put(io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES, framed);
        QuicDatagrams datagrams = session.datagrams();
        if (datagrams == null || datagrams.maxLength() <= 0) {
            applied.put(io.taps.properties.Property.PER_MSG_RELIABILITY, false); // the peer has no RFC 9221
        }
        return applied;
    }

    @Override
    public Optional<io.taps.security.SecurityOutcome> securityOutcome() {
        return session.securityOutcome();
    }
}
