package io.taps.spring.boot.autoconfigure;

import io.taps.TransportObserver;
import io.taps.TransportServices;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the taps {@link TransportServices} (RFC 9622 §3): one system per
 * application, closed with the context. Backs off when the application defines its own.
 */
@AutoConfiguration
@ConditionalOnClass(TransportServices.class)
@EnableConfigurationProperties(TapsProperties.class)
public class TapsAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    TransportServices transportServices(TapsProperties properties, ObjectProvider<TransportObserver> observers) {
        TransportServices.Builder builder = TransportServices.builder()
                .nativeTransport(properties.isNativeTransport())
                .shutdownTimeout(properties.getShutdownTimeout());
        if (properties.getEventLoopThreads() != null) {
            builder.eventLoopThreads(properties.getEventLoopThreads());
        }
        // Metrics, observations and the actuator see the system through observer beans.
        observers.orderedStream().forEach(builder::observer);
        return builder.build();
    }
}
