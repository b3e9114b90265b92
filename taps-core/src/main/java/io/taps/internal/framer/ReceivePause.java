package io.taps.internal.framer;

import io.netty.channel.Channel;

/**
 * The Connection's receive backpressure, told to the framers of a channel as a user event: while
 * paused, a framer parses nothing more, so buffered input (compact raw bytes) is not turned into
 * many small Messages the Connection would have to hold; the peer's end of input waits behind the
 * bytes before it. Fired by a framed link whenever reading pauses or resumes.
 */
public enum ReceivePause {
    PAUSE,
    RESUME;

    /** Tells every framer in {@code channel}'s pipeline to pause or resume parsing. */
    public static void signal(Channel channel, boolean read) {
        channel.pipeline().fireUserEventTriggered(read ? RESUME : PAUSE);
    }
}
