package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsProfiles;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link TapsListener}, {@link TapsConnectionReceived} and {@link TapsConnectionClosed}
 * methods on every bean, resolves placeholders in their attributes and registers them through the
 * {@link TapsListenerEndpointRegistrar}; once all singletons exist, the registrar hands them to
 * the {@link TapsListenerRegistry} bean (the Spring Kafka {@code @KafkaListener} model).
 */
public class TapsListenerAnnotationBeanPostProcessor
        implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, Ordered {
    /** The bean name the auto-configuration registers this post-processor under. */
    public static final String BEAN_NAME = "io.taps.spring.listener.internalTapsListenerAnnotationProcessor";

    private final TapsListenerEndpointRegistrar registrar = new TapsListenerEndpointRegistrar();
    private final Set<Class<?>> nonAnnotatedClasses = ConcurrentHashMap.newKeySet();
    private @Nullable ConfigurableBeanFactory beanFactory;
    private boolean defaultAutoStartup = true;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableBeanFactory configurable) {
            this.beanFactory = configurable;
        }
    }

    /** Whether endpoints without an {@code autoStartup} attribute start with the context. */
    public void setDefaultAutoStartup(boolean defaultAutoStartup) {
        this.defaultAutoStartup = defaultAutoStartup;
    }

    @Override
    public int getOrder() {
        return LOWEST_PRECEDENCE;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (this.nonAnnotatedClasses.contains(targetClass)) {
            return bean;
        }
        Map<Method, TapsListener> listeners = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<TapsListener>) method -> AnnotatedElementUtils
                    .findMergedAnnotation(method, TapsListener.class));
        Map<Method, TapsConnectionReceived> received = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<TapsConnectionReceived>) method -> AnnotatedElementUtils
                    .findMergedAnnotation(method, TapsConnectionReceived.class));
        Map<Method, TapsConnectionClosed> closed = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<TapsConnectionClosed>) method -> AnnotatedElementUtils
                    .findMergedAnnotation(method, TapsConnectionClosed.class));
        if (listeners.isEmpty() && received.isEmpty() && closed.isEmpty()) {
            this.nonAnnotatedClasses.add(targetClass);
            return bean;
        }
        listeners.forEach((method, annotation) -> this.registrar
            .registerEndpoint(endpoint(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass()),
                    annotation)));
        received.forEach((method, annotation) -> this.registrar.registerCallback(resolve(annotation.value()),
                HandlerMethod.forCallback(bean, AopUtils.selectInvocableMethod(method, bean.getClass()), false), false));
        closed.forEach((method, annotation) -> this.registrar.registerCallback(resolve(annotation.value()),
                HandlerMethod.forCallback(bean, AopUtils.selectInvocableMethod(method, bean.getClass()), true), true));
        return bean;
    }

    private TapsListenerEndpoint endpoint(Object bean, String beanName, Method method, TapsListener annotation) {
        String id = resolve(annotation.id());
        if (id.isEmpty()) {
            id = beanName + "." + method.getName();
        }
        String profile = resolve(annotation.profile());
        String host = resolve(annotation.host());
        String port = resolve(annotation.port());
        String autoStartup = resolve(annotation.autoStartup());
        Integer portNumber = null;
        if (!port.isEmpty()) {
            try {
                portNumber = Integer.valueOf(port.trim());
            }
            catch (NumberFormatException ex) {
                throw new IllegalStateException("@TapsListener(id = \"" + id + "\") port '" + port
                        + "' is not a number (from '" + annotation.port() + "')", ex);
            }
            if (portNumber < 0 || portNumber > 65535) {
                throw new IllegalStateException("@TapsListener(id = \"" + id + "\") port " + portNumber
                        + " is outside 0..65535");
            }
        }
        return new TapsListenerEndpoint(id, profile.isEmpty() ? TapsProfiles.DEFAULT_PROFILE : profile, host.isEmpty() ? null : host,
                portNumber, autoStartup.isEmpty() ? this.defaultAutoStartup : Boolean.parseBoolean(autoStartup.trim()),
                bean, method, emptyToNull(resolve(annotation.contentType())), emptyToNull(resolve(annotation.errorHandler())));
    }

    private static @Nullable String emptyToNull(String value) {
        return value.isBlank() ? null : value.trim();
    }

    private String resolve(String value) {
        if (!StringUtils.hasText(value) || this.beanFactory == null) {
            return value;
        }
        String resolved = this.beanFactory.resolveEmbeddedValue(value);
        return resolved == null ? "" : resolved;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (this.beanFactory == null) {
            throw new IllegalStateException("TapsListenerAnnotationBeanPostProcessor needs a ConfigurableBeanFactory");
        }
        this.registrar.registerAll(this.beanFactory.getBean(TapsListenerRegistry.class));
    }
}
