package io.taps.internal.framer;

import io.netty.channel.ChannelHandlerContext;

/**
 * The pipeline handler that runs a {@link FramerRuntime} and gets what it passes up: a
 * {@link FramerHandler} of the framer's own, or the taps handler, which hosts the only framer of a
 * TCP or TLS Connection itself (no handler nor context of the framer's own, issue 21 figure 12).
 * The runtime finds its host as its context's handler.
 */
public interface FramerHost {
    /**
     * A framed Message (perhaps the thread's reusable holder, read during the call only), a
     * {@link FramingSignal}, or input the framer stepped aside from, in the order the framer made them.
     */
    void framerRead(ChannelHandlerContext ctx, Object message);

    /** A user event the framer lets through (the end of input once the Messages before it went up). */
    void framerEvent(ChannelHandlerContext ctx, Object event) throws Exception;

    /** The framer this handler runs, or null. */
    FramerRuntime hostedFramer();
}
