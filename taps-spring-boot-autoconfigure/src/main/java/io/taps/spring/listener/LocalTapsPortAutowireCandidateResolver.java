package io.taps.spring.listener;

import java.lang.annotation.Annotation;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Gives a dependency annotated {@link LocalTapsPort @LocalTapsPort("id")} the suggested value
 * {@code ${local.taps.<id>.port}} and delegates everything else to the resolver it wraps. Working
 * on the suggested value keeps {@code @LocalTapsPort} on the ordinary {@code @Value} path, which
 * serves fields, methods, constructor and test-method parameters and AOT test instances alike.
 * Install it with {@link #installer()}.
 */
public final class LocalTapsPortAutowireCandidateResolver implements AutowireCandidateResolver {
    private final AutowireCandidateResolver delegate;

    LocalTapsPortAutowireCandidateResolver(AutowireCandidateResolver delegate) {
        this.delegate = delegate;
    }

    /**
     * A {@link BeanFactoryPostProcessor} wrapping the bean factory's resolver (once) in a
     * {@code LocalTapsPortAutowireCandidateResolver}.
     */
    public static BeanFactoryPostProcessor installer() {
        return LocalTapsPortAutowireCandidateResolver::install;
    }

    static void install(ConfigurableListableBeanFactory beanFactory) throws BeansException {
        if (beanFactory instanceof DefaultListableBeanFactory listable
                && !(listable.getAutowireCandidateResolver() instanceof LocalTapsPortAutowireCandidateResolver)) {
            listable.setAutowireCandidateResolver(
                    new LocalTapsPortAutowireCandidateResolver(listable.getAutowireCandidateResolver()));
        }
    }

    @Override
    public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
        LocalTapsPort port = findLocalTapsPort(descriptor);
        if (port != null) {
            String key = port.value().isEmpty() ? LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY
                    : "local.taps." + port.value() + ".port";
            return "${" + key + "}";
        }
        return this.delegate.getSuggestedValue(descriptor);
    }

    private static @Nullable LocalTapsPort findLocalTapsPort(DependencyDescriptor descriptor) {
        LocalTapsPort found = find(descriptor.getAnnotations());
        if (found == null && descriptor.getMethodParameter() != null) {
            // A setter's annotation sits on the method, not on its parameter.
            found = AnnotatedElementUtils.findMergedAnnotation(descriptor.getMethodParameter().getAnnotatedElement(),
                    LocalTapsPort.class);
        }
        return found;
    }

    private static @Nullable LocalTapsPort find(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            LocalTapsPort port = annotation instanceof LocalTapsPort direct ? direct
                    : AnnotationUtils.findAnnotation(annotation.annotationType(), LocalTapsPort.class);
            if (port != null) {
                return port;
            }
        }
        return null;
    }

    @Override
    public boolean isAutowireCandidate(BeanDefinitionHolder holder, DependencyDescriptor descriptor) {
        return this.delegate.isAutowireCandidate(holder, descriptor);
    }

    @Override
    public boolean isRequired(DependencyDescriptor descriptor) {
        return this.delegate.isRequired(descriptor);
    }

    @Override
    public boolean hasQualifier(DependencyDescriptor descriptor) {
        return this.delegate.hasQualifier(descriptor);
    }

    @Override
    public @Nullable String getSuggestedName(DependencyDescriptor descriptor) {
        return this.delegate.getSuggestedName(descriptor);
    }

    @Override
    public @Nullable Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor, @Nullable String beanName) {
        return this.delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
    }

    @Override
    public @Nullable Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, @Nullable String beanName) {
        return this.delegate.getLazyResolutionProxyClass(descriptor, beanName);
    }

    @Override
    public AutowireCandidateResolver cloneIfNecessary() {
        return new LocalTapsPortAutowireCandidateResolver(this.delegate.cloneIfNecessary());
    }
}
