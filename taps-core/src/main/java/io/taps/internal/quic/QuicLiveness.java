package io.taps.internal.quic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicTransportParameters;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one QUIC connection alive and decides when it has failed (RFC 9622 §6.2.10 keepAlive,
 * §8.1.3 connTimeout, §8.1.4 keepAliveTimeout; RFC 9000 §10.1, §10.1.2).
 *
 * <p><b>Keep-alive.</b> QUIC closes a connection silently once nothing arrived for the idle timeout
 * ({@link QuicTransportSettings#idleTimeout()}). With keepAlive Require or Prefer, or a
 * keepAliveTimeout, taps sends an ack-eliciting probe every keep-alive interval (a fixed beat; a
 * probe is a few bytes): keepAliveTimeout, at most half the idle timeout both peers agreed on, so
 * that a silent but healthy connection never idles out. quiche offers no PING frame through Netty
 * (cloudflare/quiche#635, netty-incubator-codec-quic#321), so the probe is a one-byte DATAGRAM frame
 * (RFC 9221 §5: ack-eliciting, congestion controlled, never retransmitted), which the peer must have
 * announced it accepts; taps announces it on both sides and drops what it receives. When the peer
 * accepts no DATAGRAM frames (the first probe, sent at once, is refused), keep-alive cannot be applied: the Connection reports keepAlive false,
 * and an attempt that requires it fails (the race falls back to another stack). A non-taps peer
 * that negotiated DATAGRAM frames for its own use receives each probe as a 1-byte datagram (zero);
 * Netty binds no PING (quiche's {@code quiche_conn_send_ack_eliciting}), see docs/ARCHITECTURE.md, QUIC, Liveness.
 *
 * <p><b>connTimeout.</b> Its RFC 9622 meaning: how long to wait before deciding that the Connection
 * has failed while data is not being delivered. Once taps sent something (data or a probe) and
 * nothing at all has come back from the peer for connTimeout, the QUIC connection is closed and
 * every stream Connection ends with a TIMEOUT ConnectionError. An idle Connection with nothing
 * outstanding is not timed out by it (the idle timeout, above, covers that), exactly like
 * TCP_USER_TIMEOUT on TCP.
 *
 * <p>Everything runs on the QUIC channel's event loop.
 */
final class QuicLiveness {
    /** How often the watchdog looks at most: a short connTimeout still gets a few looks. */
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final QuicChannel channel;
    private final Duration localIdleTimeout;
    private final boolean keepAliveWanted;
    private Duration keepAliveTimeout;
    private Duration connTimeout;
    private ScheduledFuture<?> probes;
    private ScheduledFuture<?> watchdog;
    private long lastRecv = -1;
    private long lastSent = -1;
    private boolean quietLastPoll;
    /** System.nanoTime of the first send not yet followed by anything from the peer, or 0. */
    private long unansweredSince;
    private volatile boolean keepAliveApplied;
    private volatile TransportServicesException endReason;

    QuicLiveness(QuicChannel channel, TransportProperties properties) {
        this.channel = channel;
        this.localIdleTimeout = QuicTransportSettings.idleTimeout();
        Preference keepAlive = properties.get(Property.KEEP_ALIVE);
        Timeout keepAliveTimeout = properties.get(Property.KEEP_ALIVE_TIMEOUT);
        this.keepAliveWanted = keepAlive == Preference.REQUIRE || keepAlive == Preference.PREFER
                || !keepAliveTimeout.isNone();
        this.keepAliveTimeout = keepAliveTimeout.isNone() ? null : keepAliveTimeout.duration();
        Timeout conn = properties.get(Property.CONN_TIMEOUT);
        this.connTimeout = conn.isNone() ? null : conn.duration();
        channel.pipeline().addLast("quic-datagrams", DatagramSink.INSTANCE);
        channel.closeFuture().addListener(closed -> stop());
        if (channel.eventLoop().inEventLoop()) {
            scheduleProbes();
            scheduleWatchdog();
        } else {
            channel.eventLoop().execute(() -> {
                scheduleProbes();
                scheduleWatchdog();
            });
        }
    }

    /** Whether the application asked for keep-alive (keepAlive Require/Prefer, or a keepAliveTimeout). */
    boolean keepAliveWanted() {
        return keepAliveWanted;
    }

    /** Whether keep-alive probes are really being sent: wanted, and the peer accepts them. */
    boolean keepAliveApplied() {
        return keepAliveApplied;
    }

    /**
     * Sends one probe now; the future fails when the peer accepts no DATAGRAM frames (RFC 9221 §3:
     * quiche refuses to queue one then). Netty does not report the peer's max_datagram_frame_size
     * (its transport parameters read 0), so trying is how taps finds out.
     */
    ChannelFuture probe() {
        sent();
        ChannelFuture write = channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[1]));
        write.addListener(done -> keepAliveApplied = keepAliveWanted && done.isSuccess());
        return write;
    }

    /** Why the QUIC connection ended, when taps can tell (idle timeout, connTimeout); null otherwise. */
    TransportServicesException endReason() {
        TransportServicesException known = endReason;
        if (known == null && channel.isTimedOut()) {
            Duration agreed = agreedIdleTimeout();
            return new TransportServicesException(ErrorReason.TIMEOUT, "the QUIC connection idled out: nothing"
                    + " arrived from the peer for its idle timeout (" + (agreed == null ? "disabled" : agreed.toMillis()
                    + " ms") + ", RFC 9000 §10.1)" + (keepAliveWanted ? " although keep-alive probes were sent"
                    : "; keepAlive was not requested, so no keep-alive probes were sent (RFC 9622 §6.2.10)"));
        }
        return known;
    }

    /** A new keepAliveTimeout (RFC 9622 §8.1.4); {@code null} or none falls back to half the idle timeout. */
    void keepAliveTimeout(Timeout timeout) {
        keepAliveTimeout = timeout == null || timeout.isNone() ? null : timeout.duration();
        channel.eventLoop().execute(this::scheduleProbes);
    }

    /** A new connTimeout (RFC 9622 §8.1.3); none turns the watchdog off. */
    void connTimeout(Timeout timeout) {
        connTimeout = timeout == null || timeout.isNone() ? null : timeout.duration();
        channel.eventLoop().execute(this::scheduleWatchdog);
    }

    /** Records an application write: from now on the peer owes an answer. */
    void sent() {
        if (unansweredSince == 0) {
            unansweredSince = System.nanoTime();
        }
    }

    /** The idle timeout in effect: the smaller of both peers' non-zero values (RFC 9000 §10.1), or null when disabled. */
    private Duration agreedIdleTimeout() {
        long local = localIdleTimeout.toMillis();
        QuicTransportParameters peer = channel.peerTransportParameters();
        long remote = peer == null ? 0 : peer.maxIdleTimeout();
        long agreed = local == 0 ? remote : remote == 0 ? local : Math.min(local, remote);
        return agreed == 0 ? null : Duration.ofMillis(agreed);
    }

    private long probeIntervalNanos() {
        Duration agreed = agreedIdleTimeout();
        long half = agreed == null ? Long.MAX_VALUE : agreed.toNanos() / 2;
        long asked = keepAliveTimeout == null ? Long.MAX_VALUE : keepAliveTimeout.toNanos();
        long interval = Math.min(half, asked);
        // Both idle timeouts disabled and no keepAliveTimeout: keep NAT bindings alive (RFC 4787 REQ-5: 2 min).
        return interval == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(60) : Math.max(MIN_POLL_NANOS, interval);
    }

    private void scheduleProbes() {
        if (probes != null) {
            probes.cancel(false);
            probes = null;
        }
        if (!keepAliveWanted || !channel.isOpen()) {
            return;
        }
        long interval = probeIntervalNanos();
        probes = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (channel.isActive()) {
                probe();
            }
        }, interval, interval, TimeUnit.NANOSECONDS);
        if (channel.isActive()) {
            probe(); // at once: tells whether the peer accepts probes, so getProperties is right from Ready on
        }
    }

    private void scheduleWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        if (connTimeout == null || !channel.isOpen()) {
            return;
        }
        long poll = Math.max(MIN_POLL_NANOS, Math.min(MAX_POLL_NANOS, connTimeout.toNanos() / 4));
        watchdog = channel.eventLoop().scheduleAtFixedRate(this::look, poll, poll, TimeUnit.NANOSECONDS);
    }

    private void look() {
        if (!channel.isActive()) {
            return;
        }
        channel.collectStats().addListener(done -> {
            if (done.isSuccess()) {
                judge((QuicConnectionStats) done.getNow(), System.nanoTime());
            }
        });
    }

    /**
     * Anything received clears the debt. Packets sent while nothing came back for two looks in a
     * row (so not a delayed acknowledgement of something received just before) are owed an
     * answer, like application writes; a debt older than connTimeout fails the connection.
     */
    private void judge(QuicConnectionStats stats, long now) {
        boolean heard = stats.recv() != lastRecv;
        boolean sentMore = lastSent >= 0 && stats.sent() > lastSent;
        lastRecv = stats.recv();
        lastSent = stats.sent();
        if (heard) {
            unansweredSince = 0;
            quietLastPoll = false;
            return;
        }
        if (sentMore && quietLastPoll) {
            sent();
        }
        quietLastPoll = true;
        Duration limit = connTimeout;
        if (limit != null && unansweredSince != 0 && now - unansweredSince >= limit.toNanos()) {
            endReason = new TransportServicesException(ErrorReason.TIMEOUT, "connTimeout: the peer answered"
                    + " nothing for " + limit.toMillis() + " ms while data was outstanding (RFC 9622 §8.1.3)");
            channel.close();
        }
    }

    private void stop() {
        if (probes != null) {
            probes.cancel(false);
        }
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    /**
     * Drops the DATAGRAM frames a peer sends (its keep-alive probes): taps maps no QUIC datagrams to
     * Connections (RFC 9221 is not otherwise wired up).
     */
    @ChannelHandler.Sharable
    static final class DatagramSink extends ChannelInboundHandlerAdapter {
        static final DatagramSink INSTANCE = new DatagramSink();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof ByteBuf) {
                ReferenceCountUtil.release(message);
            } else {
                ctx.fireChannelRead(message);
            }
        }
    }
}
