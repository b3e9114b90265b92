package io.taps.internal.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.taps.TransportServicesException;

/**
 * First handler of a taps QUIC stream: a peer's RESET_STREAM (its Abort, RFC 9000 §19.4) ends the
 * stream for good, as a TCP RST ends a TCP connection, so after passing the error on (the Connection
 * records it as the cause) the stream channel is closed and the Connection reports ConnectionError.
 * Netty would otherwise only report the error and keep the half-dead stream open.
 */
@ChannelHandler.Sharable
final class StreamResetCloser extends ChannelInboundHandlerAdapter {
    static final StreamResetCloser INSTANCE = new StreamResetCloser();

    /**
     * A stream that ends because its QUIC connection idled out or failed its connTimeout passes the
     * reason on first, so that its Connection's ConnectionError names it (not "the peer closed").
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof QuicStreamChannel stream) {
            QuicSession session = QuicSession.of(stream.parent());
            TransportServicesException reason = session == null ? null : session.liveness().endReason();
            if (reason != null) {
                ctx.fireExceptionCaught(reason);
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.fireExceptionCaught(cause);
        if (cause instanceof QuicStreamResetException) {
            ctx.close();
        }
    }
}
