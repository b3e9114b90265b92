package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.TransportServices;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.client.TapsClients;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.listener.TapsListenerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code taps} actuator endpoint ({@link TapsEndpoint}), when spring-boot-actuator is present
 * and the endpoint is available ({@code management.endpoints.web.exposure.include=taps}), with its
 * web extension ({@link TapsEndpointWebExtension}) that decides per request whether peers are shown
 * ({@link TapsEndpointProperties}).
 */
@AutoConfiguration(after = { TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class })
@ConditionalOnClass({ TransportServices.class, Endpoint.class, ConditionalOnAvailableEndpoint.class })
public final class TapsEndpointAutoConfiguration {
    /**
     * Held apart from the class-level {@code @ConditionalOnClass}: Spring loads every condition
     * class named on a configuration class before evaluating any, so without actuator on the class path this condition
     * on the auto-configuration itself failed start-up whenever the auto-configuration metadata did not
     * filter it out first (a JDK 23+ build without it, an {@code ApplicationContextRunner}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnAvailableEndpoint(TapsEndpoint.class)
    @EnableConfigurationProperties(TapsEndpointProperties.class)
    static class TapsEndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ListenerActivity tapsListenerActivity() {
            return new ListenerActivity();
        }

        @Bean
        @ConditionalOnBean(TransportServices.class)
        @ConditionalOnMissingBean
        ListenerDirectory tapsListenerDirectory(TransportServices services,
                ObjectProvider<TapsListenerRegistry> registry) {
            return ListenerDirectory.of(services, registry.getIfAvailable());
        }

        @Bean
        @ConditionalOnBean(TransportServices.class)
        @ConditionalOnMissingBean
        TapsEndpoint tapsEndpoint(TransportServices services, ObjectProvider<ListenerDirectory> directory,
                ListenerActivity activity, TapsEndpointProperties properties,
                ObjectProvider<TapsClientConnections> clients, ObjectProvider<TapsClients> clientRegistry) {
            return new TapsEndpoint(services,
                    directory.getObject(),
                    activity, properties.getShowValues(), properties.getDefaultLimit(), clients.getIfAvailable(),
                    clientRegistry.getIfAvailable());
        }

        @Bean
        @ConditionalOnBean(TapsEndpoint.class)
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
        TapsEndpointWebExtension tapsEndpointWebExtension(TapsEndpoint endpoint, TapsEndpointProperties properties) {
            return new TapsEndpointWebExtension(endpoint, properties.getShowValues(), properties.getRoles(),
                    properties.getDefaultLimit());
        }
    }
}
