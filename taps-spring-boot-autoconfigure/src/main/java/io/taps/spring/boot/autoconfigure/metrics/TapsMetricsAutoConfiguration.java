package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.taps.TransportServices;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.listener.TapsListenerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for taps ({@link TapsMeterObserver}): registered as a core
 * {@code TransportObserver}, which the auto-configured {@link TransportServices} picks up; the
 * listener counters ({@link TapsListenerMeters}), a {@code TapsListenerObserver} the listener
 * registry picks up; the per-listener handler figures ({@link TapsListenerHandlerMeters}); and the
 * cache size gauges ({@link TapsCacheMeters}). Needs
 * micrometer-core and a {@link MeterRegistry} bean; off with {@code taps.metrics.enabled=false}.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, TransportServices.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "taps.metrics.enabled", matchIfMissing = true)
public final class TapsMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TapsMeterObserver tapsMeterObserver(MeterRegistry registry, ObjectProvider<ConnectionProfiles> profiles,
            ObjectProvider<TapsListenerRegistry> listeners, ObjectProvider<TapsClientConnections> clients) {
        return new TapsMeterObserver(registry,
                profiles.getIfAvailable(() -> new RegistryConnectionProfiles(listeners, clients)));
    }

    @Bean
    @ConditionalOnMissingBean
    TapsListenerMeters tapsListenerMeters(MeterRegistry registry) {
        return new TapsListenerMeters(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    TapsListenerHandlerMeters tapsListenerHandlerMeters(MeterRegistry registry) {
        return new TapsListenerHandlerMeters(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    TapsCacheMeters tapsCacheMeters(MeterRegistry registry, ObjectProvider<TransportServices> services) {
        TapsCacheMeters meters = new TapsCacheMeters(services);
        meters.bindTo(registry);
        return meters;
    }
}
