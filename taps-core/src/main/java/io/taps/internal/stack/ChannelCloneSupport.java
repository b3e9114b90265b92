package io.taps.internal.stack;

import io.netty.channel.EventLoop;
import io.taps.monitor.EstablishmentReport;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.ProxyHop;
import io.taps.internal.group.CloneReport;
import io.taps.internal.group.CloneRequest;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.cache.CacheScope;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackUse;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Clone by a new attempt (RFC 9622 §7.4, design.md Q-16; every {@link ProtocolStack#cloneable()}
 * stack without clone support of its own: TCP, TLS/TCP, UDP, plugged-in stacks): a new transport
 * connection to the address the original won, with the original's stack and security (the same
 * cache scope, the same server name for SNI and verification): no new race, no new resolution. UDP
 * opens a new connected socket to the same remote. The local address of the
 * winning path is kept, its port is not: a second flow cannot reuse the original's 4-tuple.
 */
public final class ChannelCloneSupport implements CloneSupport {
    private final ProtocolStack stack;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final String peerName;
    private final StackUse use;
    /**
     * The original's cache scope: each clone's TLS context comes from it (so an isolated group stays
     * isolated), asked per clone, because with maxCachedSessions(0) on JSSE every connection needs a
     * context of its own (SEC-06).
     */
    private final CacheScope scope;
    private final StackEnvironment environment;
    private final EstablishmentReport.Candidate candidate;
    /** The original's proxy: a clone goes through the same tunnel kind (RFC 9623 §4.1.2). */
    private final ProxyHop proxy;

    /** Clones of the Connection that won {@code leaf} for {@code use}, with the original's cache scope. */
    public ChannelCloneSupport(Leaf leaf, StackUse use, CacheScope scope, StackEnvironment environment) {
        this.stack = leaf.stack();
        this.remote = leaf.remote();
        InetSocketAddress bind = leaf.path().bindAddress();
        this.local = bind == null || bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()
                ? null : new InetSocketAddress(bind.getAddress(), 0);
        this.peerName = leaf.peerName();
        this.use = use;
        this.scope = scope;
        this.environment = environment;
        this.proxy = leaf.proxy();
        this.candidate = new EstablishmentReport.Candidate(local == null ? "default (chosen by the OS)"
                : "clone from " + local.getAddress().getHostAddress(), stack.capabilities().name(), leaf.alpn(),
                remote, peerName, proxy == null ? null : proxy.describe());
    }

    @Override
    public boolean multiplexed() {
        return false;
    }

    @Override
    public void open(CloneRequest request) {
        TapsConnection clone = (TapsConnection) request.cloned();
        EventLoop loop = clone.eventLoop();
        StackUse cloneUse = new StackUse(use.role(), use.locals(), use.remotes(), clone.transportProperties(),
                use.security(), !request.framers().isEmpty());
        TapsAttempt attempt = new TapsAttempt(stack, loop, remote, local, peerName, cloneUse, request.timeout(),
                request.framers(), null, scope, environment).throughProxy(proxy);
        long started = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        attempt.establishAlone(clone,
                () -> clone.establishmentReport(report(request, EstablishmentReport.Outcome.RUNNING, null, null, false,
                        startedAt)),
                error -> {
                    clone.establishmentReport(report(request, EstablishmentReport.Outcome.FAILED, since(started), error,
                            true, startedAt));
                    if (clone.state() != io.taps.properties.ConnectionState.CLOSED) {
                        request.failed(error);
                    }
                },
                () -> clone.establishmentReport(report(request, EstablishmentReport.Outcome.SUCCEEDED, since(started),
                        null, true, startedAt)));
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** A report without a race: the one attempt the clone made to the original's winner. */
    private EstablishmentReport report(CloneRequest request, EstablishmentReport.Outcome outcome, Duration took,
            TransportServicesException failure, boolean finished, java.time.Instant startedAt) {
        return CloneReport.of(request, candidate, remote, "the original's stack and address", outcome, took,
                failure, finished, startedAt);
    }
}
