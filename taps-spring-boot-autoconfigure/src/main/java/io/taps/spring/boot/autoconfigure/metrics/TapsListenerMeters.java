package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.taps.TransportServicesException;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerObserver;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Counts what a {@code @TapsListener}'s Listener turned away or could not do, events that happen
 * before any Connection exists and so never reach {@link TapsMeterObserver}. Tags are
 * {@code taps.listener.id} and {@code taps.profile} (from the application's own configuration, so
 * low-cardinality) and {@code taps.error.reason} (the RFC 9622 name); never the client's address.
 *
 * <ul>
 * <li>{@code taps.listener.rejected}: inbound connections refused in their security handshake
 * (RFC 9622 §6.3, §7.2), one per client, for example no client certificate where one is required;</li>
 * <li>{@code taps.listener.limit.reached}: LimitReached notices, once per listening socket and
 * episode, for example a UDP Listener at {@code _taps.maxConcurrentConnections} remotes;</li>
 * <li>{@code taps.listener.accept.failures}: AcceptFailed episodes, for example the process ran out
 * of file descriptors.</li>
 * </ul>
 */
public final class TapsListenerMeters implements TapsListenerObserver {
    private final MeterRegistry registry;

    public TapsListenerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void connectionRejected(RunningTapsListener listener, @Nullable InetSocketAddress remote,
            TransportServicesException reason) {
        count("taps.listener.rejected", "Inbound connections a taps listener refused in their security handshake",
                listener, reason);
    }

    @Override
    public void limitReached(RunningTapsListener listener, TransportServicesException notice) {
        count("taps.listener.limit.reached", "Times a limit of a taps listener began dropping would-be Connections",
                listener, notice);
    }

    @Override
    public void acceptFailed(RunningTapsListener listener, TransportServicesException error) {
        count("taps.listener.accept.failures", "Episodes in which a taps listener could not accept connections",
                listener, error);
    }

    private void count(String name, String description, RunningTapsListener listener,
            TransportServicesException error) {
        Counter.builder(name).description(description)
                .tags(TapsTagKeys.LISTENER_ID, listener.id(), TapsTagKeys.PROFILE, listener.profile(),
                        TapsTagKeys.ERROR_REASON, error.reason().rfcName())
                .register(this.registry)
                .increment();
    }
}
