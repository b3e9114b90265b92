package io.taps.internal.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a QUIC UDP socket: errors of the socket itself (a read racing its close, an
 * ICMP error) concern every QUIC connection on it, which the codec already ends; they are logged,
 * not left to Netty's "reached the tail of the pipeline" warning.
 */
@ChannelHandler.Sharable
final class SocketErrorSink extends ChannelInboundHandlerAdapter {
    static final SocketErrorSink INSTANCE = new SocketErrorSink();
    private static final Logger log = LoggerFactory.getLogger(SocketErrorSink.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("QUIC socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
