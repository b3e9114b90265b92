package io.taps.internal.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;

/**
 * Ends a QUIC connection for taps as soon as the peer closed it (its CONNECTION_CLOSE, RFC 9000
 * §10.2). quiche then keeps the connection in the draining state for three probe timeouts
 * (§10.2.2), during which it sends nothing and delivers nothing more; Netty closes the channel, and
 * so ends its streams, only after that. Closing it here ends every stream Connection at once, so
 * an application whose peer's Listener stopped sees its Connections Closed then, not seconds later
 * (a client's graceful shutdown waited for that draining). The close runs as a later task on the
 * channel's loop, after the packet that carried the frame has delivered its stream data.
 */
@ChannelHandler.Sharable
final class PeerConnectionClose extends ChannelInboundHandlerAdapter {
    static final PeerConnectionClose INSTANCE = new PeerConnectionClose();

    private PeerConnectionClose() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof QuicConnectionCloseEvent) {
            ctx.channel().eventLoop().execute(() -> ctx.channel().close());
        }
        super.userEventTriggered(ctx, event);
    }
}
