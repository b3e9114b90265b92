package io.taps.internal.framer;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import java.util.Map;

/**
 * The largest Message the framers of a pipeline let through (RFC 9622 §8.1.11.5 sendMsgMaxLen,
 * §8.1.11.6 recvMsgMaxLen): the smallest limit any of them sets. Read from the pipeline as it is,
 * so a framer prepended or stepped aside later counts as it is now.
 */
public final class FramerLimits {
    private FramerLimits() {
    }

    /** The smallest framer limit in {@code pipeline}, capped at Integer.MAX_VALUE, or -1 when none sets one. */
    public static int maxMessageSize(ChannelPipeline pipeline) {
        if (pipeline.get(FramerHandler.class) == null) {
            // The usual pipeline: at most the one framer, hosted by the last handler. Walking the
            // pipeline as a map copied it into a LinkedHashMap, ~300 B of every Connection's
            // adoption (issue 21 figure 12); get and last walk the contexts without allocating.
            ChannelHandler last = pipeline.last();
            FramerRuntime hosted = last instanceof FramerHost ? ((FramerHost) last).hostedFramer() : null;
            return hosted == null ? -1 : (int) Math.min(Integer.MAX_VALUE, hosted.maxMessageSize());
        }
        long smallest = -1;
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            // A framer's own handler, or the taps handler hosting the only framer.
            FramerRuntime framer = entry.getValue() instanceof FramerHost
                    ? ((FramerHost) entry.getValue()).hostedFramer() : null;
            if (framer != null) {
                long limit = framer.maxMessageSize();
                if (limit >= 0 && (smallest < 0 || limit < smallest)) {
                    smallest = limit;
                }
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, smallest);
    }
}
