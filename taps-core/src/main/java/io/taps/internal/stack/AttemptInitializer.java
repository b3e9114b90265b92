package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Sets up one attempt's pipeline once its channel is registered, as Netty's {@link ChannelInitializer}
 * does (the same steps, order and failure handling), for exactly one channel. ChannelInitializer
 * may be shared by many channels, so each instance keeps a ConcurrentHashMap-backed set of the
 * contexts it initialised: a map, its key set view, a 16-bin table and a node, about 200 bytes per
 * attempt (issue 21, every connection set-up figure). One channel needs one flag.
 */
abstract class AttemptInitializer extends ChannelInboundHandlerAdapter {
    /** ChannelInitializer's own logger, so a failing set-up is reported as before. */
    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(ChannelInitializer.class);

    private boolean initialized;

    /** Adds the attempt's handlers; the channel is registered. */
    protected abstract void initChannel(Channel channel) throws Exception;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isRegistered()) {
            initChannel(ctx);
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (initChannel(ctx)) {
            // The handlers just added see channelRegistered too, as with ChannelInitializer.
            ctx.pipeline().fireChannelRegistered();
        } else {
            ctx.fireChannelRegistered();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (LOGGER.isWarnEnabled()) {
            LOGGER.warn("Failed to initialize a channel. Closing: " + ctx.channel(), cause);
        }
        ctx.close();
    }

    private boolean initChannel(ChannelHandlerContext ctx) throws Exception {
        if (initialized) {
            return false;
        }
        initialized = true;
        try {
            initChannel(ctx.channel());
        } catch (Throwable cause) {
            exceptionCaught(ctx, cause);
        } finally {
            if (!ctx.isRemoved()) {
                ctx.pipeline().remove(this);
            }
        }
        return true;
    }
}
