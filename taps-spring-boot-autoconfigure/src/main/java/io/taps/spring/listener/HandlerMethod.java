package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ReflectionUtils;

/**
 * One {@link TapsListener} method with its argument resolvers and reply conversion worked out once,
 * when the endpoint is registered: an argument or return type it cannot serve fails start-up, not
 * the first Message.
 */
final class HandlerMethod {
    private final Object bean;
    private final Method method;
    private final ArgumentKind[] arguments;
    private final boolean replies;

    private enum ArgumentKind {
        MESSAGE, BYTES, STRING, BYTE_BUFFER, CONTEXT, CONNECTION, THROWABLE
    }

    private HandlerMethod(Object bean, Method method, ArgumentKind[] arguments, boolean replies) {
        this.bean = bean;
        this.method = method;
        this.arguments = arguments;
        this.replies = replies;
        ReflectionUtils.makeAccessible(method);
    }

    /** A message handler: arguments Message, byte[], String, ByteBuffer, MessageContext, Connection. */
    static HandlerMethod forMessages(Object bean, Method method) {
        ArgumentKind[] kinds = resolve(method, false);
        Class<?> returnType = method.getReturnType();
        boolean replies = returnType != void.class && returnType != Void.class;
        if (replies && !isReplyType(returnType)) {
            if (CompletionStage.class.isAssignableFrom(returnType)) {
                Type generic = method.getGenericReturnType();
                if (generic instanceof ParameterizedType parameterized) {
                    Type element = parameterized.getActualTypeArguments()[0];
                    if (element instanceof Class<?> elementClass && !isReplyType(elementClass)
                            && elementClass != Void.class) {
                        throw unsupported(method, "returns a CompletionStage of " + elementClass.getName());
                    }
                }
            }
            else {
                throw unsupported(method, "returns " + returnType.getName());
            }
        }
        return new HandlerMethod(bean, method, kinds, replies);
    }

    /** A connection callback: arguments Connection and (for closed callbacks) Throwable. */
    static HandlerMethod forCallback(Object bean, Method method, boolean allowThrowable) {
        ArgumentKind[] kinds = resolve(method, true);
        for (ArgumentKind kind : kinds) {
            if (kind != ArgumentKind.CONNECTION && !(allowThrowable && kind == ArgumentKind.THROWABLE)) {
                throw unsupported(method, "takes a " + kind + " argument, but connection callbacks take only a "
                        + "Connection" + (allowThrowable ? " and a Throwable" : ""));
            }
        }
        return new HandlerMethod(bean, method, kinds, false);
    }

    private static boolean isReplyType(Class<?> type) {
        return type == String.class || type == byte[].class || ByteBuffer.class.isAssignableFrom(type)
                || type == Message.class || type == Object.class;
    }

    private static ArgumentKind[] resolve(Method method, boolean callback) {
        Class<?>[] types = method.getParameterTypes();
        ArgumentKind[] kinds = new ArgumentKind[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            if (type == Message.class) {
                kinds[i] = ArgumentKind.MESSAGE;
            }
            else if (type == byte[].class) {
                kinds[i] = ArgumentKind.BYTES;
            }
            else if (type == String.class) {
                kinds[i] = ArgumentKind.STRING;
            }
            else if (type == ByteBuffer.class) {
                kinds[i] = ArgumentKind.BYTE_BUFFER;
            }
            else if (type == MessageContext.class) {
                kinds[i] = ArgumentKind.CONTEXT;
            }
            else if (type == Connection.class) {
                kinds[i] = ArgumentKind.CONNECTION;
            }
            else if (callback && Throwable.class.isAssignableFrom(type)) {
                kinds[i] = ArgumentKind.THROWABLE;
            }
            else {
                throw unsupported(method, "has parameter " + i + " of unsupported type " + type.getName()
                        + " (supported: Message, byte[], String, ByteBuffer, MessageContext, Connection)");
            }
        }
        return kinds;
    }

    private static IllegalStateException unsupported(Method method, String problem) {
        return new IllegalStateException("taps handler method " + method.getDeclaringClass().getName() + "."
                + method.getName() + " " + problem);
    }

    /** Whether a non-void return value is sent as the reply. */
    boolean replies() {
        return this.replies;
    }

    /**
     * Calls the method for {@code message} and returns the reply to send (null for none),
     * completing exceptionally when the method throws or its stage fails.
     */
    CompletionStage<@Nullable Message> invoke(Connection connection, Message message) {
        Object result;
        try {
            result = call(connection, message, null);
        }
        catch (Throwable ex) {
            return CompletableFuture.failedFuture(ex);
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.thenApply(value -> toReply(value));
        }
        try {
            return CompletableFuture.completedFuture(toReply(result));
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /** Calls a connection callback; exceptions propagate. */
    void invokeCallback(Connection connection, @Nullable Throwable error) throws Throwable {
        call(connection, null, error);
    }

    private @Nullable Object call(Connection connection, @Nullable Message message, @Nullable Throwable error)
            throws Throwable {
        Object[] values = new Object[this.arguments.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (this.arguments[i]) {
                case MESSAGE -> message;
                case BYTES -> message == null ? null : message.bytes();
                case STRING -> message == null ? null : message.asString();
                case BYTE_BUFFER -> message == null ? null : message.asByteBuffer();
                case CONTEXT -> message == null ? null : message.context();
                case CONNECTION -> connection;
                case THROWABLE -> error;
            };
        }
        try {
            return this.method.invoke(this.bean, values);
        }
        catch (InvocationTargetException ex) {
            throw ex.getTargetException();
        }
    }

    private @Nullable Message toReply(@Nullable Object value) {
        if (value == null || !this.replies) {
            return null;
        }
        if (value instanceof Message reply) {
            // A received Message carries the peer's context; a reply gets a fresh one.
            return reply.context().remoteEndpoint().isPresent() ? Message.wrap(reply.bytes()) : reply;
        }
        if (value instanceof String text) {
            return Message.of(text);
        }
        if (value instanceof byte[] bytes) {
            return Message.of(bytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return Message.of(buffer);
        }
        throw new IllegalStateException("taps handler method " + this.method.getName() + " returned a "
                + value.getClass().getName() + "; return String, byte[], ByteBuffer or Message");
    }

    @Override
    public String toString() {
        return this.method.getDeclaringClass().getSimpleName() + "." + this.method.getName();
    }
}
