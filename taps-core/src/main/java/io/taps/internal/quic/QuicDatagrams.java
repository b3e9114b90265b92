package io.taps.internal.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The DATAGRAM frames (RFC 9221) of one QUIC connection, first in its channel's pipeline: learns the
 * largest DATAGRAM payload the peer accepts ({@link QuicDatagramExtensionEvent}, fired before the
 * channel becomes active; no event by then means the peer announced no max_datagram_frame_size),
 * sends unreliable Messages, and routes the frames it receives.
 *
 * <p><b>Which Connection receives datagrams.</b> All DATAGRAM frames of a QUIC connection belong to
 * one Connection of its group, its <em>datagram Connection</em> (docs/quic.md): on a client, the
 * Connection initiated with {@code reliability} Avoid or Prohibit (no stream: every Message is
 * one DATAGRAM frame); on a Listener that accepts unreliable Connections ({@link #acceptedBy}), a
 * Connection raised by ConnectionReceived when the first frame arrives. Frames no datagram
 * Connection claims go on down the pipeline, where {@link QuicLiveness} drops them (keep-alive
 * probes). Messages sent with {@code msgReliable=false} on a stream Connection of the same QUIC
 * connection go out as DATAGRAM frames too and arrive at the peer's datagram Connection.
 *
 * <p>Everything but {@link #maxLength()} runs on the QUIC channel's event loop.
 */
final class QuicDatagrams extends ChannelInboundHandlerAdapter {
    static final String NAME = "quic-datagram-router";
    static final String RECEIVER_NAME = "taps-datagrams";
    private static final AttributeKey<QuicDatagrams> KEY = AttributeKey.valueOf(QuicDatagrams.class, "datagrams");

    private final QuicChannel channel;
    /** Creates the datagram Connection when an unclaimed frame arrives (a Listener's); null drops it. */
    private final Predicate<QuicDatagrams> acceptor;
    /** -1 until the handshake told, then the peer's limit for one payload, 0 when it accepts none. */
    private volatile int maxLength = -1;
    private final List<Runnable> whenKnown = new ArrayList<>();
    private ConnectionHandler receiver;

    private QuicDatagrams(QuicChannel channel, Predicate<QuicDatagrams> acceptor) {
        this.channel = channel;
        this.acceptor = acceptor;
    }

    /**
     * Puts the router into a new QUIC channel's pipeline (before the handshake completes, so that it
     * sees the extension event); {@code acceptor} (nullable) creates a datagram Connection on demand
     * and says whether it did.
     */
    static QuicDatagrams install(QuicChannel channel, Predicate<QuicDatagrams> acceptor) {
        QuicDatagrams datagrams = new QuicDatagrams(channel, acceptor);
        channel.attr(KEY).set(datagrams);
        channel.pipeline().addLast(NAME, datagrams);
        return datagrams;
    }

    /**
     * The handler of a datagram Connection: it is adopted at once (the QUIC connection is already
     * established), so there is no attempt whose outcome it would report.
     */
    static ConnectionHandler newReceiver() {
        return new ConnectionHandler(new ConnectionHandler.AttemptObserver() {
            @Override
            public void stackReady(Channel ready, ConnectionHandler readyHandler) {
            }

            @Override
            public void stackFailed(Channel failed, Throwable cause) {
            }
        }, true);
    }

    /** The router of {@code channel}; null for a channel taps did not set up. */
    static QuicDatagrams of(QuicChannel channel) {
        return channel.attr(KEY).get();
    }

    /**
     * Whether a Connection with {@code properties} is a datagram Connection rather than a stream:
     * {@code reliability} Avoid or Prohibit (RFC 9622 §6.2.1), e.g. the unreliable-datagram profile.
     */
    static boolean wanted(TransportProperties properties, io.taps.properties.Role role) {
        Preference reliability = properties.get(Property.RELIABILITY, role);
        return reliability == Preference.AVOID || reliability == Preference.PROHIBIT;
    }

    /**
     * Whether a Listener with {@code properties} turns a QUIC connection's DATAGRAM frames into a
     * datagram Connection: it accepts unreliable Connections ({@code reliability} not Require) or
     * per-Message reliability (perMsgReliability Require or Prefer). Otherwise the frames are dropped.
     */
    static boolean acceptedBy(TransportProperties properties) {
        io.taps.properties.Role listen = io.taps.properties.Role.LISTEN;
        Preference perMessage = properties.get(Property.PER_MSG_RELIABILITY, listen);
        return properties.get(Property.RELIABILITY, listen) != Preference.REQUIRE
                || perMessage == Preference.REQUIRE || perMessage == Preference.PREFER;
    }

    QuicChannel channel() {
        return channel;
    }

    /** The largest DATAGRAM payload the peer accepts; 0 when it accepts none, -1 before the handshake. */
    int maxLength() {
        return maxLength;
    }

    /** Runs {@code task} once the handshake told whether the peer accepts DATAGRAM frames (at once if it did). */
    void whenKnown(Runnable task) {
        if (maxLength >= 0) {
            task.run();
        } else {
            whenKnown.add(task);
        }
    }

    /**
     * Makes {@code handler} the datagram Connection's: it goes into the pipeline right after the
     * router and receives every DATAGRAM frame from now on, as a {@link DatagramPacket} from the peer.
     */
    void receiveWith(ConnectionHandler handler) {
        channel.pipeline().addAfter(NAME, RECEIVER_NAME, handler);
        receiver = handler;
    }

    /** The datagram Connection is gone: later frames are dropped again (or make a new one on a Listener). */
    void receiverClosed(ConnectionHandler handler) {
        if (receiver == handler) {
            receiver = null;
            if (channel.pipeline().context(handler) != null) {
                channel.pipeline().remove(handler);
            }
        }
    }

    /**
     * Writes {@code data} as one DATAGRAM frame and flushes it, or fails the future: MessageTooLarge
     * above the peer's limit (quiche would throw BufferUnderflowException), InvalidMessageProperties
     * when the peer accepts no DATAGRAM frames at all. Takes ownership of {@code data}.
     */
    ChannelFuture send(ByteBuf data) {
        TransportServicesException refusal = refusal(data.readableBytes());
        if (refusal != null) {
            data.release();
            return channel.newFailedFuture(refusal);
        }
        return channel.writeAndFlush(data);
    }

    /** Why a DATAGRAM frame of {@code length} bytes cannot be sent, or null. */
    TransportServicesException refusal(int length) {
        int limit = maxLength;
        if (limit <= 0) {
            return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, limit < 0
                    ? "the QUIC handshake is not done: no DATAGRAM frame (RFC 9221) can be sent yet"
                    : "the QUIC peer does not support the DATAGRAM extension (RFC 9221: it announced no"
                            + " max_datagram_frame_size), so a msgReliable=false Message cannot be sent");
        }
        if (length > limit) {
            return new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "message of " + length
                    + " bytes exceeds the " + limit + " bytes one QUIC DATAGRAM frame can carry on this"
                    + " connection (RFC 9221 §5: never fragmented)");
        }
        return null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof QuicDatagramExtensionEvent) {
            known(Math.max(0, ((QuicDatagramExtensionEvent) event).maxLength()));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (maxLength < 0) {
            known(0); // Netty fires the extension event before channelActive, or never.
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (maxLength < 0) {
            known(0);
        }
        super.channelInactive(ctx);
    }

    private void known(int limit) {
        maxLength = limit;
        List<Runnable> tasks = List.copyOf(whenKnown);
        whenKnown.clear();
        tasks.forEach(Runnable::run);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof ByteBuf)) {
            // New peer streams travel the pipeline too (Netty registers them at its tail): past the
            // datagram Connection's handler, which would take them for data.
            ChannelHandlerContext past = receiver == null ? null : ctx.pipeline().context(receiver);
            (past != null ? past : ctx).fireChannelRead(message);
            return;
        }
        if (receiver == null && (acceptor == null || !acceptor.test(this))) {
            ctx.fireChannelRead(message); // no datagram Connection: QuicLiveness drops it
            return;
        }
        InetSocketAddress from = (InetSocketAddress) channel.remoteSocketAddress();
        InetSocketAddress to = (InetSocketAddress) channel.localSocketAddress();
        if (from == null || to == null) {
            ReferenceCountUtil.release(message);
            return;
        }
        ctx.fireChannelRead(new DatagramPacket((ByteBuf) message, to, from));
    }
}
