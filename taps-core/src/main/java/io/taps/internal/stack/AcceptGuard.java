package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards one listening server channel against failing accept() calls (RFC 9622 §7.2 Listener;
 * typically EMFILE, "Too many open files"). Netty would log every failure as an unhandled
 * exception at the pipeline's tail and retry each second without telling anybody; here a failure
 * pauses accepting for {@link #RETRY_DELAY} (the kernel's listen backlog holds new clients
 * meanwhile), the first of an episode is logged with its cause and reported to the Listener
 * (AcceptFailed), further ones only as a summary every {@link #SUMMARY_INTERVAL}, and the first
 * accept that succeeds again ends the episode with one line saying how long it lasted.
 *
 * <p>Sits in front of Netty's acceptor on the server channel and runs on its event loop; the
 * accepting state the Listener wants is asked through {@code wantsAccepting} when the pause ends,
 * so the pause never re-opens a Listener that reached its limit meanwhile.
 */
final class AcceptGuard extends ChannelInboundHandlerAdapter {
    /** How long accepting pauses after a failure; Netty's own acceptor waits as long. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** How often a failing episode is summarised in the log after its first line. */
    static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(AcceptGuard.class);

    private final String stackName;
    private final BooleanSupplier wantsAccepting;
    private final Consumer<Throwable> episodeStarted;
    private volatile boolean paused;
    private long failures;
    private long failuresSinceSummary;
    private long episodeStartNanos;
    private long lastSummaryNanos;

    AcceptGuard(String stackName, BooleanSupplier wantsAccepting, Consumer<Throwable> episodeStarted) {
        this.stackName = stackName;
        this.wantsAccepting = wantsAccepting;
        this.episodeStarted = episodeStarted;
    }

    /** Whether accepting is paused after a failure, so the Listener must not resume it now. */
    boolean paused() {
        return paused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
        if (failures > 0) {
            log.info("{} listener on {} accepts again after {} failed accept() calls in {} ms", stackName,
                    ctx.channel().localAddress(), failures,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - episodeStartNanos));
            failures = 0;
        }
        ctx.fireChannelRead(accepted);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel server = ctx.channel();
        // Stop reading at once: a level-triggered selector would report the pending client again
        // immediately, and every retry would fail the same way.
        server.config().setAutoRead(false);
        long now = System.nanoTime();
        failures++;
        if (failures == 1) {
            episodeStartNanos = now;
            lastSummaryNanos = now;
            failuresSinceSummary = 0;
            log.warn("{} listener on {} cannot accept a connection: {}; retrying every {} ms while clients wait"
                    + " in the listen backlog (further failures are summarised every {} s)", stackName,
                    server.localAddress(), cause.toString(), RETRY_DELAY.toMillis(), SUMMARY_INTERVAL.toSeconds(),
                    cause);
            episodeStarted.accept(cause);
        } else {
            failuresSinceSummary++;
            if (now - lastSummaryNanos >= SUMMARY_INTERVAL.toNanos()) {
                log.warn("{} listener on {} still cannot accept: {} more failed accept() calls in the last {} s,"
                        + " {} since {} s ago; last: {}", stackName, server.localAddress(), failuresSinceSummary,
                        TimeUnit.NANOSECONDS.toSeconds(now - lastSummaryNanos), failures,
                        TimeUnit.NANOSECONDS.toSeconds(now - episodeStartNanos), cause.toString());
                lastSummaryNanos = now;
                failuresSinceSummary = 0;
            } else {
                log.debug("{} listener on {}: accept() failed again: {}", stackName, server.localAddress(),
                        cause.toString());
            }
        }
        if (!paused) {
            paused = true;
            ctx.executor().schedule(() -> {
                paused = false;
                if (server.isOpen() && wantsAccepting.getAsBoolean()) {
                    server.config().setAutoRead(true);
                }
            }, RETRY_DELAY.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
