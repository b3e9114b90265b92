package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.RacingConfig;
import io.taps.monitor.TransportObserver;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.spring.framer.TapsFramer;
import io.taps.spring.framer.TapsFramers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * taps Transport Services system (RFC 9622 §3): one {@link TransportServices} per application,
 * configured from {@code taps.*} and {@link TransportServicesCustomizer} beans and closed with the
 * context; the named framers ({@link TapsFramers}) and property profiles ({@link TapsProfiles}).
 * Each bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(TransportServices.class)
@EnableConfigurationProperties(TapsProperties.class)
public final class TapsAutoConfiguration {

    /** Checks every taps.* key and reads TAPS_* environment variables before the properties bind. */
    @Bean
    static BeanFactoryPostProcessor tapsConfigurationKeys() {
        return new TapsConfigurationKeys();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    TransportServices transportServices(TapsProperties properties,
            ObjectProvider<TransportServicesCustomizer> customizers, ObjectProvider<TransportObserver> observers) {
        TransportServices.Builder builder = TransportServices.builder()
                .nativeTransport(properties.isNativeTransport())
                .shutdownTimeout(properties.getShutdownTimeout())
                .racing(racing(properties.getRacing()));
        if (properties.getEventLoopThreads() != null) {
            builder.eventLoopThreads(properties.getEventLoopThreads());
        }
        if (!properties.getNameServers().isEmpty()) {
            List<InetSocketAddress> nameServers = new ArrayList<>();
            for (int i = 0; i < properties.getNameServers().size(); i++) {
                nameServers.add(NameServerAddress.parse("taps.name-servers[" + i + "]",
                        properties.getNameServers().get(i)));
            }
            builder.nameServers(nameServers);
        }
        if (properties.getHostsFile() != null) {
            builder.hostsFile(Path.of(properties.getHostsFile()));
        }
        cacheAndPaths(builder, properties);
        io.taps.ProxyConfig proxies = TapsProxies.toConfig(properties.getProxies(), "taps.proxies", null);
        if (proxies != null) {
            builder.proxies(proxies);
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        // Metrics, observations and the actuator see the system through observer beans.
        observers.orderedStream().forEach(builder::observer);
        return builder.build();
    }

    private static RacingConfig racing(TapsProperties.Racing racing) {
        try {
            RacingConfig.Builder builder = RacingConfig.builder()
                    .resolutionDelay(racing.getResolutionDelay())
                    .connectionAttemptDelay(racing.getConnectionAttemptDelay())
                    .minimumAttemptDelay(racing.getMinimumAttemptDelay())
                    .maximumAttemptDelay(racing.getMaximumAttemptDelay())
                    .maxLeaves(racing.getMaxLeaves())
                    .maxAddressesPerHost(racing.getMaxAddressesPerHost());
            if (racing.getPathDelay() != null) {
                builder.pathDelay(racing.getPathDelay());
            }
            if (racing.getProtocolDelay() != null) {
                builder.protocolDelay(racing.getProtocolDelay());
            }
            return builder.build();
        }
        catch (TransportServicesException ex) {
            throw TapsConfigurationException.at("taps.racing", ex,
                    "Fix the taps.racing.* values (delays must not be negative, minimum <= maximum, limits >= 1).");
        }
    }

    private static void cacheAndPaths(TransportServices.Builder builder, TapsProperties properties) {
        configure("taps.cache.performance-size", "Set a size of 0 (ranking off) or more.",
                () -> builder.performanceCacheSize(properties.getCache().getPerformanceSize()));
        configure("taps.cache.performance-half-life", "Set a positive duration, e.g. 10m.",
                () -> builder.performanceHalfLife(properties.getCache().getPerformanceHalfLife()));
        configure("taps.path-monitor.interval", "Set 0 (monitor off) or a positive duration, e.g. 5s.",
                () -> builder.pathMonitorInterval(properties.getPathMonitor().getInterval()));
    }

    private static void configure(String key, String action, Runnable setting) {
        try {
            setting.run();
        }
        catch (TransportServicesException ex) {
            throw TapsConfigurationException.at(key, ex, action);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    TapsFramers tapsFramers(ListableBeanFactory beanFactory, TapsProperties properties) {
        Map<String, FramerFactory> named = new LinkedHashMap<>(ConfiguredFramers.create(properties.getFramers()));
        Map<String, FramerFactory> beans = new LinkedHashMap<>();
        for (String beanName : beanFactory.getBeanNamesForType(FramerFactory.class)) {
            TapsFramer annotation = beanFactory.findAnnotationOnBean(beanName, TapsFramer.class);
            if (annotation != null) {
                FramerFactory previous = beans.put(annotation.value(), beanFactory.getBean(beanName, FramerFactory.class));
                if (previous != null) {
                    throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                            "two FramerFactory beans are annotated @TapsFramer(\"" + annotation.value() + "\")");
                }
                if (named.containsKey(annotation.value())) {
                    throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION,
                            "taps.framers." + annotation.value(),
                            "the framer '" + annotation.value() + "' is configured here and is also the FramerFactory bean '"
                                    + beanName + "' annotated @TapsFramer",
                            "Remove taps.framers." + annotation.value() + " or rename one of the two framers.", null);
                }
            }
        }
        named.putAll(beans);
        return new TapsFramers(named);
    }

    @Bean
    @ConditionalOnMissingBean
    TapsProfiles tapsProfiles(TransportServices transportServices, TapsProperties properties, TapsFramers framers,
            ObjectProvider<SslBundles> sslBundles) {
        return new TapsProfiles(transportServices, properties, framers, sslBundles.getIfAvailable());
    }

    /** Rendezvous (RFC 9622 §7.3) from a profile, with the application's signalling (docs/rendezvous.md). */
    @Bean
    @ConditionalOnMissingBean
    TapsRendezvous tapsRendezvous(TapsProfiles profiles) {
        return new TapsRendezvous(profiles);
    }
}
