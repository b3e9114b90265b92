package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServices;
import io.taps.spring.convert.TapsMessageConverters;
import io.taps.spring.framer.TapsFramers;
import io.taps.spring.listener.HandlerExecutors;
import io.taps.spring.listener.LocalTapsPortAutowireCandidateResolver;
import io.taps.spring.listener.LoggingTapsListenerErrorHandler;
import io.taps.spring.listener.TapsListenerAnnotationBeanPostProcessor;
import io.taps.spring.listener.TapsListenerErrorHandler;
import io.taps.spring.listener.TapsListenerObserver;
import io.taps.spring.listener.TapsListenerRegistry;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * annotation-driven taps Listeners (RFC 9622 §7.2): the {@code @TapsListener} post-processor, the
 * {@link TapsListenerRegistry} lifecycle, the handler executor ({@code taps.listener.execution}),
 * the default {@link TapsListenerErrorHandler}, {@code @LocalTapsPort} injection and the
 * {@link TapsSslBundleReloader} that applies reloaded SSL bundles. Taking these
 * beans over is enough to replace a piece; {@code @EnableTaps} is implied.
 */
// After Boot's task execution: its applicationTaskExecutor backs off when any Executor bean exists,
// and the handler executor is one.
@AutoConfiguration(after = { TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class },
        afterName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration")
@ConditionalOnClass(TransportServices.class)
@ConditionalOnBean(TapsProfiles.class)
public final class TapsListenerAutoConfiguration {
    /** The bean name of the handler executor; define an {@link Executor} with this name to replace it. */
    public static final String EXECUTOR_BEAN_NAME = "tapsListenerExecutor";

    @Bean(name = TapsListenerAnnotationBeanPostProcessor.BEAN_NAME)
    @ConditionalOnMissingBean(name = TapsListenerAnnotationBeanPostProcessor.BEAN_NAME)
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static TapsListenerAnnotationBeanPostProcessor tapsListenerAnnotationBeanPostProcessor(Environment environment) {
        TapsListenerAnnotationBeanPostProcessor processor = new TapsListenerAnnotationBeanPostProcessor();
        processor.setDefaultAutoStartup(
                environment.getProperty("taps.listener.auto-startup", Boolean.class, Boolean.TRUE));
        return processor;
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static BeanFactoryPostProcessor localTapsPortAutowireCandidateResolverInstaller() {
        return LocalTapsPortAutowireCandidateResolver.installer();
    }

    /**
     * The handler executor: {@code taps.listener.execution}, where {@code auto} follows Boot's
     * {@code spring.threads.virtual.enabled} ({@link Threading#VIRTUAL}, which also needs JDK 21+),
     * and the platform pool is sized by {@code taps.listener.pool.*}.
     */
    @Bean(name = EXECUTOR_BEAN_NAME)
    @ConditionalOnMissingBean(name = EXECUTOR_BEAN_NAME)
    Executor tapsListenerExecutor(TapsProperties properties, Environment environment) {
        TapsProperties.Listener listener = properties.getListener();
        try {
            return HandlerExecutors.create(listener.getExecution(), Threading.VIRTUAL.isActive(environment),
                    listener.getPool());
        }
        catch (IllegalArgumentException ex) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, "taps.listener.pool",
                    ex.getMessage(), "Set taps.listener.pool.max-size to 1 or more, queue-capacity to 0 or more and "
                            + "keep-alive to a positive duration.", ex);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    TapsListenerErrorHandler tapsListenerErrorHandler() {
        return new LoggingTapsListenerErrorHandler();
    }

    @Bean
    @ConditionalOnMissingBean
    TapsListenerRegistry tapsListenerRegistry(TapsProfiles profiles, TapsProperties properties,
            @Qualifier(EXECUTOR_BEAN_NAME) Executor executor, ObjectProvider<TapsListenerErrorHandler> errorHandler,
            ObjectProvider<TapsListenerObserver> observers, ObjectProvider<TapsMessageConverters> converters) {
        // Several error handlers (for @TapsListener(errorHandler = ...)) leave the default to a
        // @Primary one, else to logging.
        TapsListenerRegistry registry = new TapsListenerRegistry(profiles, executor,
                errorHandler.getIfUnique(LoggingTapsListenerErrorHandler::new),
                observers.orderedStream().toList());
        converters.ifAvailable(registry::setMessageConverters);
        registry.setListenerSettings(properties.getListeners());
        registry.setPortOverride(properties.getListener().getPortOverride());
        return registry;
    }

    /** Applies SSL bundles Boot reloads ({@code reload-on-update: true}) to the profiles and running listeners. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SslBundles.class)
    TapsSslBundleReloader tapsSslBundleReloader(SslBundles sslBundles, TapsProfiles profiles,
            TapsListenerRegistry registry, TransportServices transportServices, TapsProperties properties,
            TapsFramers framers) {
        return new TapsSslBundleReloader(sslBundles, profiles, registry, transportServices, properties, framers);
    }
}
