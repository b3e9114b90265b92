package io.taps.spring.listener;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanInstantiationException;
import org.springframework.beans.BeansException;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Injects {@link LocalTapsPort} fields from the {@code local.taps.<id>.port} properties the
 * {@link TapsListenerRegistry} publishes. It runs on the property-population step, so it serves
 * test instances too (Spring's test context injects them through the same step).
 */
public class LocalTapsPortBeanPostProcessor implements InstantiationAwareBeanPostProcessor, EnvironmentAware {
    private final Set<Class<?>> withoutPortFields = ConcurrentHashMap.newKeySet();
    private @Nullable Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public PropertyValues postProcessProperties(PropertyValues values, Object bean, String beanName)
            throws BeansException {
        Class<?> type = bean.getClass();
        if (this.withoutPortFields.contains(type)) {
            return values;
        }
        boolean[] found = new boolean[1];
        ReflectionUtils.doWithFields(type, field -> {
            found[0] = true;
            inject(bean, field);
        }, field -> AnnotatedElementUtils.hasAnnotation(field, LocalTapsPort.class));
        if (!found[0]) {
            this.withoutPortFields.add(type);
        }
        return values;
    }

    private void inject(Object bean, Field field) {
        LocalTapsPort annotation = AnnotatedElementUtils.findMergedAnnotation(field, LocalTapsPort.class);
        String key = annotation == null || annotation.value().isEmpty() ? "local.taps.port"
                : "local.taps." + annotation.value() + ".port";
        String value = this.environment == null ? null : this.environment.getProperty(key);
        if (value == null) {
            throw new BeanInstantiationException(bean.getClass(), "@LocalTapsPort field " + field.getName()
                    + " needs " + key + ", which is set only once that taps listener has started");
        }
        Object converted;
        Class<?> type = field.getType();
        if (type == int.class || type == Integer.class) {
            converted = Integer.valueOf(value);
        }
        else if (type == long.class || type == Long.class) {
            converted = Long.valueOf(value);
        }
        else if (type == String.class) {
            converted = value;
        }
        else {
            throw new BeanInstantiationException(bean.getClass(), "@LocalTapsPort field " + field.getName()
                    + " must be int, Integer, long, Long or String");
        }
        ReflectionUtils.makeAccessible(field);
        ReflectionUtils.setField(field, bean, converted);
    }
}
