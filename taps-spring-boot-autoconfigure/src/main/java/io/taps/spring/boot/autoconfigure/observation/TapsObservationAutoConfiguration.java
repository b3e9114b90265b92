package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.ObservationRegistry;
import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.metrics.ConnectionProfiles;
import io.taps.spring.boot.autoconfigure.metrics.RegistryConnectionProfiles;
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
 * Micrometer Observations of taps establishments ({@code taps.connection.establish}) and of the
 * Messages {@code @TapsListener} methods handle ({@code taps.listener.message}). Needs an
 * {@link ObservationRegistry} bean; off with {@code taps.observations.enabled=false} (or Boot's
 * {@code management.observations.enable.taps=false}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ ObservationRegistry.class, TransportServices.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "taps.observations.enabled", matchIfMissing = true)
public final class TapsObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TapsObservationObserver tapsObservationObserver(ObservationRegistry registry,
            ObjectProvider<EstablishmentObservationConvention> convention, ObjectProvider<ConnectionProfiles> profiles,
            ObjectProvider<TapsListenerRegistry> listeners, ObjectProvider<TapsClientConnections> clients) {
        return new TapsObservationObserver(registry, convention.getIfAvailable(),
                profiles.getIfAvailable(() -> new RegistryConnectionProfiles(listeners, clients)));
    }

    @Bean
    @ConditionalOnMissingBean
    TapsListenerObservations tapsListenerObservations(ObservationRegistry registry,
            ObjectProvider<ListenerMessageObservationConvention> convention) {
        return new TapsListenerObservations(registry, convention.getIfAvailable());
    }
}
