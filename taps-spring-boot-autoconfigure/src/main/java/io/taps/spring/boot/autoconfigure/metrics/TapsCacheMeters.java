package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taps.monitor.CachedState;
import io.taps.TransportServices;
import java.util.function.ToIntFunction;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The gauge {@code taps.cache.entries} tagged {@code taps.cache=performance|dns|tls}: how many entries
 * the Cached State of the Transport Services system holds (RFC 9623 §9; checklist M-64..M-67).
 * {@code performance} counts (remote address, local network) entries of the performance cache,
 * {@code dns} cached answers per (name, family), {@code tls} cached TLS client sessions of the
 * process. Read when the registry is scraped, never on a connection's path.
 */
public final class TapsCacheMeters {
    private final ObjectProvider<TransportServices> services;

    /**
     * @param services the system whose caches are measured; looked up on each reading, so a
     *                 {@code TransportServices} bean the application defines is measured too
     */
    public TapsCacheMeters(ObjectProvider<TransportServices> services) {
        this.services = services;
    }

    /**
     * Registers the gauges with {@code registry}. Not a Micrometer {@code MeterBinder}: the
     * auto-configuration registers them itself, so they exist with any MeterRegistry bean, and
     * Boot's binder support would register them a second time.
     */
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "performance", cached -> cached.performance().size());
        gauge(registry, "dns", CachedState::dnsEntries);
        gauge(registry, "tls", CachedState::tlsSessions);
    }

    private void gauge(MeterRegistry registry, String cache, ToIntFunction<CachedState> size) {
        Gauge.builder("taps.cache.entries", this, meters -> meters.read(size))
                .tag(TapsTagKeys.CACHE, cache)
                .description("Entries in the taps cached state (RFC 9623 §9)")
                .register(registry);
    }

    private double read(ToIntFunction<CachedState> size) {
        TransportServices system = services.getIfAvailable();
        return system == null ? Double.NaN : size.applyAsInt(system.cachedState());
    }
}
