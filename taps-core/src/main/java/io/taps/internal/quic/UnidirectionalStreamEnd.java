package io.taps.internal.quic;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.taps.internal.stack.ConnectionHandler;

/**
 * The end of a unidirectional stream the peer opened (RFC 9000 §2.1, §3.2): Netty allows no
 * half-closure on one, so it closes the stream channel at the peer's FIN without reporting the end
 * of input. Such a close, with no RESET_STREAM before it and the QUIC connection still up, is the
 * clean end of the peer's data: it reaches the Connection as the end of input (the Final Message,
 * RFC 9622 §9.3.3.3) and as a completed flow, which waits for the application's Close.
 */
final class UnidirectionalStreamEnd extends ChannelInboundHandlerAdapter {
    private boolean reset;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof QuicStreamResetException) {
            reset = true;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        if (!reset && stream.parent().isActive()) {
            ConnectionHandler handler = ctx.pipeline().get(ConnectionHandler.class);
            if (handler != null) {
                handler.flowCompleted();
            }
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        ctx.fireChannelInactive();
    }
}
