package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.listener.TapsListenerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code taps} health indicator ({@link TapsHealthIndicator}): listeners bound or not. Needs
 * spring-boot-health; off with {@code management.health.taps.enabled=false}.
 */
@AutoConfiguration(after = { TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class },
        beforeName = "org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration")
@ConditionalOnClass({ TransportServices.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(TransportServices.class)
public final class TapsHealthContributorAutoConfiguration {
    /**
     * Held apart from the class-level {@code @ConditionalOnClass}: Spring loads every condition
     * class named on a configuration class before evaluating any, so without spring-boot-health on
     * the class path this condition on the auto-configuration itself failed start-up whenever the
     * auto-configuration metadata did not filter it out first (a JDK 23+ build without it, an {@code ApplicationContextRunner}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnEnabledHealthIndicator("taps")
    static class TapsHealthIndicatorConfiguration {

        @Bean
        @ConditionalOnBean(TransportServices.class)
        @ConditionalOnMissingBean
        ListenerDirectory tapsListenerDirectory(TransportServices services,
                ObjectProvider<TapsListenerRegistry> registry) {
            return ListenerDirectory.of(services, registry.getIfAvailable());
        }

        @Bean
        @ConditionalOnMissingBean(name = "tapsHealthIndicator")
        TapsHealthIndicator tapsHealthIndicator(TransportServices services, ObjectProvider<ListenerDirectory> directory) {
            return new TapsHealthIndicator(
                    directory.getObject());
        }
    }
}
