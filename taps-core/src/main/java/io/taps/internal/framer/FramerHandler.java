package io.taps.internal.framer;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * A pipeline handler of one framer's own, which runs its {@link FramerRuntime}: for each framer of
 * a chain, on a QUIC stream, and for a framer prepended below another (STARTTLS-style). The only
 * framer of a TCP or TLS Connection has none; the taps handler hosts its runtime.
 */
final class FramerHandler extends ChannelDuplexHandler implements FramerHost {
    private final FramerRuntime runtime;

    FramerHandler(FramerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public FramerRuntime hostedFramer() {
        return runtime;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        runtime.attach(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        runtime.removed();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        runtime.inactive();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        runtime.read(message);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        runtime.userEvent(event);
    }

    @Override
    public void framerRead(ChannelHandlerContext ctx, Object message) {
        ctx.fireChannelRead(message);
    }

    @Override
    public void framerEvent(ChannelHandlerContext ctx, Object event) {
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        if (message instanceof FramedMessage) {
            FramedMessage outbound = (FramedMessage) message;
            runtime.write(outbound.content(), outbound.context(), outbound.endOfMessage(), promise);
        } else {
            ctx.write(message, promise);
        }
    }

    /** Held while its framer is in a call ({@link FramerRuntime#holdsFlush}). */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!runtime.holdsFlush()) {
            ctx.flush();
        }
    }

    @Override
    public String toString() {
        return "FramerHandler[" + runtime + "]";
    }
}
