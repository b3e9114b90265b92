package io.taps.internal.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamResetException;

/**
 * First handler of a taps QUIC stream: a peer's RESET_STREAM (its Abort, RFC 9000 §19.4) ends the
 * stream for good, as a TCP RST ends a TCP connection, so after passing the error on (the Connection
 * records it as the cause) the stream channel is closed and the Connection reports ConnectionError.
 * Netty would otherwise only report the error and keep the half-dead stream open.
 */
@ChannelHandler.Sharable
final class StreamResetCloser extends ChannelInboundHandlerAdapter {
    static final StreamResetCloser INSTANCE = new StreamResetCloser();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.fireExceptionCaught(cause);
        if (cause instanceof QuicStreamResetException) {
            ctx.close();
        }
    }
}
