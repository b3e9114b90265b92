package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.taps.properties.Limit;
import io.taps.properties.Property;

/**
 * The rate bounds of RFC 9622 §8.1.8 on a channel link.
 *
 * <ul>
 *   <li>{@code maxSendRate}: a Netty {@link ChannelTrafficShapingHandler} with that write limit
 *       sits right above TLS (or at the head of the pipeline), so it counts the bytes of the
 *       application's Messages as framed, before encryption. Writes over the rate wait in the
 *       handler, their Sent events with them; past 4 MiB waiting the channel reports itself
 *       unwritable and taps' own send queue (bounded by {@code _taps.sendQueueLimit}) holds the
 *       rest. Unlimited lifts the limit.</li>
 *   <li>{@code maxRecvRate}: deliberately not applied and read as Unlimited. Netty's read
 *       throttling toggles the channel's auto-read, which is also taps' receive backpressure (a
 *       Connection stops reading when the application does not receive); the shaper re-enables
 *       reading when its delay ends, overriding a pause taps asked for meanwhile, which would
 *       break the per-Connection receive memory bound. An application bounds its receive rate by
 *       how fast it calls Receive.</li>
 *   <li>{@code minSendRate}, {@code minRecvRate}: a floor no transport can promise; taps has no
 *       per-path capacity estimate to choose paths by (RFC 9623 §4.1.3), so they are not applied
 *       and read as Unlimited.</li>
 * </ul>
 */
final class RateShaping {
    static final String HANDLER_NAME = "taps-rate";
    /** How often the shaper recomputes the rate; Netty's default. */
    private static final long CHECK_INTERVAL_MILLIS = 1000;

    private RateShaping() {
    }

    static boolean governs(Property<?> property) {
        return property == Property.MAX_SEND_RATE || property == Property.MAX_RECV_RATE
                || property == Property.MIN_SEND_RATE || property == Property.MIN_RECV_RATE;
    }

    /** Applies {@code value} of a rate property on the event loop; returns the value in effect. */
    static Limit apply(Channel channel, String below, Property<?> property, Limit value) {
        if (property != Property.MAX_SEND_RATE) {
            return Limit.UNLIMITED;
        }
        ChannelPipeline pipeline = channel.pipeline();
        ChannelTrafficShapingHandler shaper = (ChannelTrafficShapingHandler) pipeline.get(HANDLER_NAME);
        long bytesPerSecond = value.isUnlimited() ? 0 : Math.max(1, value.value() / 8);
        if (shaper != null) {
            shaper.setWriteLimit(bytesPerSecond); // 0 lifts it
            return value;
        }
        if (bytesPerSecond == 0) {
            return Limit.UNLIMITED;
        }
        shaper = new ChannelTrafficShapingHandler(bytesPerSecond, 0, CHECK_INTERVAL_MILLIS);
        if (below != null && pipeline.get(below) != null) {
            pipeline.addAfter(below, HANDLER_NAME, shaper);
        } else {
            pipeline.addFirst(HANDLER_NAME, shaper);
        }
        return value;
    }
}
