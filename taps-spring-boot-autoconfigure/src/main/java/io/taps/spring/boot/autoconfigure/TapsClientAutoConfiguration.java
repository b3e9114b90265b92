package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.client.TapsClientOptions;
import io.taps.spring.client.TapsClients;
import io.taps.spring.convert.TapsMessageConverters;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * clients under {@code taps.clients.<name>}: the {@link TapsClients} registry (closes them on
 * shutdown), a {@link TapsClient} bean per client named after it (inject it with
 * {@code @Qualifier("<name>")}), and, when clients are configured, the {@link TapsClientConnections}
 * observer that names a client Connection's client and profile in meters, observations and the
 * actuator. Every setting is checked at start-up; a wrong one fails with the full key.
 */
@AutoConfiguration(after = { TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class,
        TapsListenerAutoConfiguration.class })
@ConditionalOnClass({ TransportServices.class, TapsClient.class })
@ConditionalOnBean({ TapsProfiles.class, TapsMessageConverters.class })
public final class TapsClientAutoConfiguration {
    private static final String PREFIX = "taps.clients";

    @Bean
    @ConditionalOnMissingBean
    @Conditional(ClientsConfigured.class)
    TapsClientConnections tapsClientConnections() {
        return new TapsClientConnections();
    }

    @Bean(name = TapsClients.BEAN_NAME)
    @ConditionalOnMissingBean
    TapsClients tapsClients(TapsProperties properties, TapsProfiles profiles, TapsMessageConverters converters,
            ObjectProvider<TapsClientConnections> connections, Environment environment) {
        TapsClients clients = new TapsClients(converters, connections.getIfAvailable(),
                shutdownTimeout(environment, properties));
        for (Map.Entry<String, TapsClientSettings> entry : properties.getClients().entrySet()) {
            register(clients, entry.getKey(), entry.getValue(), profiles, environment);
        }
        return clients;
    }

    /** Registers a {@link TapsClient} bean per {@code taps.clients.<name>}, made by the registry. */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static ClientBeansRegistrar tapsClientBeansRegistrar() {
        return new ClientBeansRegistrar();
    }

    private static java.time.Duration shutdownTimeout(Environment environment, TapsProperties properties) {
        String phase = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase");
        return phase != null ? org.springframework.boot.convert.DurationStyle.detectAndParse(phase)
                : properties.getShutdownTimeout();
    }

    private static void register(TapsClients clients, String name, TapsClientSettings settings, TapsProfiles profiles,
            Environment environment) {
        String prefix = PREFIX + "." + name;
        TapsProfile profile;
        try {
            profile = profiles.get(settings.getProfile());
        }
        catch (TransportServicesException ex) {
            throw TapsConfigurationException.at(prefix + ".profile", ex,
                    "Name one of the profiles " + profiles.names() + " or define taps.profiles." + settings.getProfile() + ".");
        }
        TapsClientOptions options;
        try {
            options = new TapsClientOptions(settings.getRequestTimeout(), settings.getReconnect().getInitialBackoff(),
                    settings.getReconnect().getMaxBackoff(), settings.getReconnect().getMultiplier(),
                    settings.getPool().getMaxConnections(), settings.getPool().getMaxPending());
        }
        catch (IllegalArgumentException ex) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix, ex.getMessage(),
                    "Fix " + prefix + "." + ex.getMessage().split(" ", 2)[0] + ".", ex);
        }
        RemoteSpec remote = RemoteSpec.of(settings.getRemote(), profile.remote(), prefix + ".remote");
        // Resolved for every establishment: a placeholder such as ${local.taps.echo.port} follows a
        // listener of this application that restarted on a new ephemeral port.
        if (remote.port() == null || !remote.port().contains("${")) {
            remote.endpoint(environment, prefix + ".remote");
        }
        clients.register(name, profile.name(),
                () -> profiles.preconnection(profile.name(), remote.endpoint(environment, prefix + ".remote")).build(),
                settings.getContentType(), options, () -> remote.describe(environment));
    }

    /** The remote endpoint of a client: its own keys, else the profile's. */
    private record RemoteSpec(String host, @Nullable String port, @Nullable String service, @Nullable String interfaceName) {

        static RemoteSpec of(TapsClientSettings.Remote own, TapsProfile.@Nullable EndpointSettings profile, String key) {
            String host = own.getHost() != null ? own.getHost() : (profile != null ? profile.host() : null);
            String port = own.getPort() != null ? own.getPort()
                    : (own.getService() == null && profile != null && profile.port() != null
                            ? profile.port().toString() : null);
            if (host == null || host.isBlank()) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key + ".host",
                        "the client has no remote host", "Set " + key + ".host (or the profile's remote.host).", null);
            }
            if (port == null && own.getService() == null) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key + ".port",
                        "the client has no remote port or service",
                        "Set " + key + ".port or " + key + ".service (or the profile's remote.port).", null);
            }
            return new RemoteSpec(host, port, own.getService(), profile != null ? profile.interfaceName() : null);
        }

        RemoteEndpoint endpoint(Environment environment, String key) {
            RemoteEndpoint.Builder builder = RemoteEndpoint.builder();
            try {
                if (TapsProfile.EndpointSettings.isIpLiteral(this.host)) {
                    builder.withIpAddress(this.host);
                }
                else {
                    builder.withHostName(this.host);
                }
                if (this.port != null) {
                    builder.withPort(port(environment, key));
                }
                else if (this.service != null) {
                    builder.withService(this.service);
                }
                if (this.interfaceName != null) {
                    builder.withInterface(this.interfaceName);
                }
                return builder.build();
            }
            catch (TapsConfigurationException ex) {
                throw ex;
            }
            catch (TransportServicesException ex) {
                throw TapsConfigurationException.at(key, ex, "Fix the remote endpoint of the client.");
            }
        }

        /** The endpoint for operators: {@code host:port} with the placeholder resolved if it can be now. */
        io.taps.spring.client.TapsClientStatus.Remote describe(Environment environment) {
            String where = this.port != null ? this.port : this.service;
            if (where != null && where.contains("${")) {
                where = environment.resolvePlaceholders(where);
            }
            String host = this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host;
            return new io.taps.spring.client.TapsClientStatus.Remote(this.host, host + ":" + where);
        }

        private int port(Environment environment, String key) {
            String text = this.port;
            if (text.contains("${")) {
                try {
                    text = environment.resolveRequiredPlaceholders(text);
                }
                catch (IllegalArgumentException ex) {
                    // Not known yet (a listener of this application that has not started): the
                    // attempt fails and the client tries again with back-off.
                    throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                            key + ".port " + this.port + " cannot be resolved yet: " + ex.getMessage());
                }
            }
            try {
                int value = Integer.parseInt(text.trim());
                if (value < 1 || value > 65535) {
                    throw new NumberFormatException();
                }
                return value;
            }
            catch (NumberFormatException ex) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key + ".port",
                        "'" + text + "' is not a port", "Use a port between 1 and 65535 or a placeholder.", null);
            }
        }
    }

    /** Matches when any {@code taps.clients.*} key is set. */
    static final class ClientsConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            boolean any = Binder.get(context.getEnvironment())
                .bind(PREFIX, Bindable.mapOf(String.class, Object.class))
                .map(map -> !map.isEmpty())
                .orElse(false);
            return any ? ConditionOutcome.match("taps.clients has entries")
                    : ConditionOutcome.noMatch("no taps.clients entries");
        }
    }

    /**
     * Defines a {@link TapsClient} bean per {@code taps.clients.<name>}, named after the client and
     * qualified with its name, made by the {@link TapsClients} registry. When another bean has that
     * name already, the client's bean is {@code <name>TapsClient}, still qualified {@code <name>}.
     */
    static final class ClientBeansRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {
        private @Nullable Environment environment;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
            if (this.environment == null || !registry.containsBeanDefinition(TapsClients.BEAN_NAME)) {
                return;
            }
            Map<String, Object> clients = Binder.get(this.environment)
                .bind(PREFIX, Bindable.mapOf(String.class, Object.class))
                .orElse(Map.of());
            for (String name : clients.keySet()) {
                RootBeanDefinition definition = new RootBeanDefinition();
                definition.setTargetType(TapsClient.class);
                definition.setFactoryBeanName(TapsClients.BEAN_NAME);
                definition.setFactoryMethodName("get");
                definition.getConstructorArgumentValues().addGenericArgumentValue(name);
                definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
                String beanName = registry.containsBeanDefinition(name) ? name + "TapsClient" : name;
                registry.registerBeanDefinition(beanName, definition);
            }
        }

        @Override
        public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        }
    }
}
