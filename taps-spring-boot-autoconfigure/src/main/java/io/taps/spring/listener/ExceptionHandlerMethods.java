package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.ExceptionDepthComparator;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link TapsExceptionHandler} methods of one bean, by the exception type each handles, worked
 * out when the listener is registered: two methods for one type, or a parameter the method cannot
 * get, fail start-up.
 */
final class ExceptionHandlerMethods {
    private final Object bean;
    private final Map<Class<? extends Throwable>, Method> byType;

    private ExceptionHandlerMethods(Object bean, Map<Class<? extends Throwable>, Method> byType) {
        this.bean = bean;
        this.byType = byType;
    }

    /** The exception handler methods of {@code bean}; empty when it has none. */
    static ExceptionHandlerMethods of(Object bean) {
        Class<?> target = AopUtils.getTargetClass(bean);
        Map<Method, TapsExceptionHandler> annotated = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<TapsExceptionHandler>) method -> AnnotatedElementUtils
                    .findMergedAnnotation(method, TapsExceptionHandler.class));
        Map<Class<? extends Throwable>, Method> byType = new LinkedHashMap<>();
        annotated.forEach((method, annotation) -> {
            Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            Class<? extends Throwable> parameter = checkParameters(invocable);
            List<Class<? extends Throwable>> types = new ArrayList<>(List.of(annotation.value()));
            if (types.isEmpty()) {
                if (parameter == null) {
                    throw HandlerMethod.unsupported(invocable, "is a @TapsExceptionHandler with neither exception "
                            + "types in its annotation nor a Throwable parameter");
                }
                types.add(parameter);
            }
            for (Class<? extends Throwable> type : types) {
                if (parameter != null && !parameter.isAssignableFrom(type)) {
                    throw HandlerMethod.unsupported(invocable, "handles " + type.getName()
                            + " but its parameter takes only " + parameter.getName());
                }
                Method previous = byType.putIfAbsent(type, invocable);
                if (previous != null) {
                    throw HandlerMethod.unsupported(invocable, "and " + previous.getName() + " are both "
                            + "@TapsExceptionHandler for " + type.getName() + " in one bean");
                }
            }
            ReflectionUtils.makeAccessible(invocable);
        });
        return new ExceptionHandlerMethods(bean, byType);
    }

    private static @Nullable Class<? extends Throwable> checkParameters(Method method) {
        Class<? extends Throwable> exception = null;
        for (Class<?> type : method.getParameterTypes()) {
            if (Throwable.class.isAssignableFrom(type)) {
                @SuppressWarnings("unchecked")
                Class<? extends Throwable> throwable = (Class<? extends Throwable>) type;
                exception = throwable;
            }
            else if (type != Message.class && type != MessageContext.class && type != Connection.class) {
                throw HandlerMethod.unsupported(method, "is a @TapsExceptionHandler with a parameter of type "
                        + type.getName() + " (supported: the exception, Message, MessageContext, Connection)");
            }
        }
        return exception;
    }

    boolean isEmpty() {
        return this.byType.isEmpty();
    }

    /**
     * The method for {@code error}: the one declared for the closest supertype of {@code error},
     * else of its causes in turn; null when none matches.
     */
    @Nullable Match find(Throwable error) {
        if (this.byType.isEmpty()) {
            return null;
        }
        for (Throwable candidate = error; candidate != null; candidate = candidate.getCause()) {
            List<Class<? extends Throwable>> matching = new ArrayList<>();
            for (Class<? extends Throwable> type : this.byType.keySet()) {
                if (type.isInstance(candidate)) {
                    matching.add(type);
                }
            }
            if (!matching.isEmpty()) {
                Class<? extends Throwable> closest = ExceptionDepthComparator.findClosestMatch(matching, candidate);
                Method method = this.byType.get(closest);
                return new Match(this.bean, method, candidate);
            }
            if (candidate.getCause() == candidate) {
                break;
            }
        }
        return null;
    }

    /** A method found for an exception (or one of its causes, {@code matched}). */
    record Match(Object bean, Method method, Throwable matched) {

        /** The annotation's action, for a method that does not return one. */
        TapsErrorAction action() {
            TapsExceptionHandler annotation = AnnotatedElementUtils.findMergedAnnotation(this.method,
                    TapsExceptionHandler.class);
            return annotation == null ? TapsErrorAction.KEEP_OPEN : annotation.action();
        }

        /** Calls the method; its exception propagates. */
        @Nullable Object invoke(Connection connection, Message message) throws Throwable {
            Class<?>[] types = this.method.getParameterTypes();
            Object[] values = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                Class<?> type = types[i];
                values[i] = type == Message.class ? message : type == MessageContext.class ? message.context()
                        : type == Connection.class ? connection : this.matched;
            }
            try {
                return this.method.invoke(this.bean, values);
            }
            catch (InvocationTargetException ex) {
                throw ex.getTargetException();
            }
        }
    }

    @Override
    public String toString() {
        return "ExceptionHandlerMethods" + this.byType.keySet();
    }
}
