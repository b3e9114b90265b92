package io.taps.internal.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.taps.MessageContext;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.SingleChannelLink;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The {@link io.taps.internal.conn.Link} of a QUIC connection's datagram Connection (RFC 9221,
 * {@link QuicDatagrams}): every Message is one DATAGRAM frame, unreliable and unordered but
 * encrypted, authenticated and congestion controlled like the rest of the QUIC connection, and
 * never duplicated (QUIC packet numbers are never reused, RFC 9000 §12.3). It has no stream: Close
 * ends only this Connection (the peer learns nothing, as with UDP), and the QUIC connection stays
 * while other Connections of its group use it, like after a stream's end.
 */
final class QuicDatagramLink extends SingleChannelLink {
    private final QuicSession session;
    private final QuicDatagrams datagrams;
    private final ConnectionHandler handler;
    private boolean closed;

    QuicDatagramLink(QuicSession session, QuicDatagrams datagrams, ConnectionHandler handler) {
        super(session.channel());
        this.session = session;
        this.datagrams = datagrams;
        this.handler = handler;
    }

    @Override
    public boolean byteStream() {
        return false;
    }

    @Override
    public boolean receivesUnreliably() {
        return true;
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        session.liveness().sent();
        io.taps.TransportServicesException refusal = datagrams.refusal(data.readableBytes());
        if (refusal != null) {
            data.release();
            return channel.newFailedFuture(refusal);
        }
        return channel.write(data);
    }

    @Override
    public ChannelFuture writeMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        return write(data);
    }

    /** The peer's limit for one DATAGRAM payload (RFC 9221 §3), which can only shrink with the path. */
    @Override
    public int maxMessageSize() {
        return Math.max(0, datagrams.maxLength());
    }

    @Override
    public int singularTransmissionMaxLen() {
        return maxMessageSize();
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        whenDone.run();
    }

    @Override
    public void close(Runnable whenClosed) {
        boolean ended = end();
        whenClosed.run();
        if (ended) {
            handler.linkEnded();
        }
    }

    @Override
    public void reset() {
        if (end()) {
            handler.linkEnded();
        }
    }

    /**
     * Ends the link once; false when it had already ended. The Connection closes its link while it
     * fails, and a second "link ended" would fail it again (the link ends synchronously here,
     * unlike a channel's, whose end is a later event).
     */
    private boolean end() {
        if (closed) {
            return false;
        }
        closed = true;
        if (channel.eventLoop().inEventLoop()) {
            datagrams.receiverClosed(handler);
            session.datagramConnectionClosed();
        } else {
            channel.eventLoop().execute(() -> {
                datagrams.receiverClosed(handler);
                session.datagramConnectionClosed();
            });
        }
        return true;
    }

    /** Datagrams cannot be paused per Connection; the receive queue's own bound drops the excess. */
    @Override
    public void setReading(boolean read) {
    }

    @Override
    public InetSocketAddress localAddress() {
        return session.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    @Override
    public Optional<String> applicationProtocol() {
        return session.applicationProtocol();
    }

    @Override
    public Optional<io.taps.security.SecurityOutcome> securityOutcome() {
        return session.securityOutcome();
    }

    @Override
    public Optional<java.time.Duration> smoothedRtt() {
        return session.smoothedRtt();
    }

    /** What a datagram Connection is, whatever QUIC's streams would be: unreliable, unordered, one Message per frame. */
    @Override
    public java.util.Map<io.taps.properties.Property<?>, Object> appliedSelection() {
        return java.util.Map.of(io.taps.properties.Property.KEEP_ALIVE, session.liveness().keepAliveApplied(),
                io.taps.properties.Property.RELIABILITY, false,
                io.taps.properties.Property.PRESERVE_ORDER, false,
                io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES, true,
                io.taps.properties.Property.PER_MSG_RELIABILITY, false);
    }
}
