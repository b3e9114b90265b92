package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.SimpleReflectiveProcessor;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;

/**
 * AOT/native hints of {@link TapsListener} and {@link TapsExceptionHandler} methods: the method is
 * invocable (as {@link SimpleReflectiveProcessor} registers) and its payload parameter and reply
 * element types are registered for data binding, so a JSON converter can read and write records and
 * POJOs in a native image, as Spring's {@code @MessageMapping} does for its payloads.
 */
public class TapsMessageTypesReflectiveProcessor extends SimpleReflectiveProcessor {
    private final BindingReflectionHintsRegistrar bindingRegistrar = new BindingReflectionHintsRegistrar();

    @Override
    protected void registerMethodHint(ReflectionHints hints, Method method) {
        super.registerMethodHint(hints, method);
        for (int i = 0; i < method.getParameterCount(); i++) {
            MethodParameter parameter = MethodParameter.forExecutable(method, i);
            if (isPayloadType(parameter.getParameterType())) {
                this.bindingRegistrar.registerReflectionHints(hints, parameter.getGenericParameterType());
            }
        }
        ResolvableType reply = HandlerMethod.replyType(method);
        Class<?> replyClass = reply.resolve();
        if (replyClass != null && isPayloadType(replyClass) && replyClass != TapsErrorAction.class) {
            this.bindingRegistrar.registerReflectionHints(hints, reply.getType());
        }
    }

    private static boolean isPayloadType(Class<?> type) {
        return !(type.isPrimitive() || type == Object.class || type == Void.class || type == String.class
                || type == byte[].class || ByteBuffer.class.isAssignableFrom(type) || type == Message.class
                || type == MessageContext.class || type == Connection.class || Throwable.class.isAssignableFrom(type));
    }
}
