package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.spring.convert.TapsMessageConverters;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;
import org.springframework.util.ReflectionUtils;
import org.springframework.validation.annotation.ValidationAnnotationUtils;

/**
 * One {@link TapsListener} method (or connection callback) with its parameters worked out once,
 * when the bean is processed: which parameter is the payload and which are the Message, its
 * context or the Connection. {@link #bind} then checks, when the endpoint is registered, that a
 * converter reads every payload parameter and writes the reply type in the listener's content
 * type, so such a mistake fails start-up, not the first Message.
 */
final class HandlerMethod {
    private final Object bean;
    private final Method method;
    private final Argument[] arguments;
    private final ReplyShape replyShape;
    private final ResolvableType replyType;

    private enum Kind {
        MESSAGE, CONTEXT, CONNECTION, THROWABLE, PAYLOAD
    }

    /** What the method returns: nothing, one value, a CompletionStage of one, or a Publisher of many. */
    enum ReplyShape {
        NONE, VALUE, STAGE, PUBLISHER
    }

    /**
     * One parameter.
     *
     * @param validationHints null when not validated, else the groups of {@code @Validated} (empty for {@code @Valid})
     */
    private record Argument(Kind kind, ResolvableType type, Object @Nullable [] validationHints) {
    }

    private HandlerMethod(Object bean, Method method, Argument[] arguments, ReplyShape replyShape,
            ResolvableType replyType) {
        this.bean = bean;
        this.method = method;
        this.arguments = arguments;
        this.replyShape = replyShape;
        this.replyType = replyType;
        ReflectionUtils.makeAccessible(method);
    }

    /**
     * A message handler: {@link Message}, {@link MessageContext} and {@link Connection} parameters,
     * and the payload: the one parameter of any other type (or the one marked {@link TapsPayload}),
     * with {@code String}, {@code byte[]} and {@code ByteBuffer} parameters as raw views.
     */
    static HandlerMethod forMessages(Object bean, Method method) {
        Argument[] arguments = resolve(method, false);
        List<Integer> typed = new ArrayList<>();
        List<Integer> marked = new ArrayList<>();
        for (int i = 0; i < arguments.length; i++) {
            Argument argument = arguments[i];
            if (argument.kind() == Kind.PAYLOAD && !isRawView(argument.type().resolve(Object.class))) {
                typed.add(i);
            }
            if (method.getParameters()[i].isAnnotationPresent(TapsPayload.class)) {
                marked.add(i);
            }
        }
        if (typed.size() > 1) {
            throw unsupported(method, "has more than one payload parameter (parameters " + typed + "); a Message has "
                    + "one payload (String, byte[] and ByteBuffer parameters may be added as raw views of it)");
        }
        if (marked.size() > 1) {
            throw unsupported(method, "marks more than one parameter @TapsPayload (parameters " + marked + ")");
        }
        if (!marked.isEmpty() && !typed.isEmpty() && !marked.equals(typed)) {
            throw unsupported(method, "marks parameter " + marked.get(0) + " @TapsPayload but parameter "
                    + typed.get(0) + " (" + arguments[typed.get(0)].type() + ") is a payload type too");
        }
        return new HandlerMethod(bean, method, arguments, replyShape(method), replyType(method));
    }

    /** A connection callback: arguments Connection and (for closed callbacks) Throwable. */
    static HandlerMethod forCallback(Object bean, Method method, boolean allowThrowable) {
        Argument[] arguments = resolve(method, true);
        for (Argument argument : arguments) {
            if (argument.kind() != Kind.CONNECTION && !(allowThrowable && argument.kind() == Kind.THROWABLE)) {
                throw unsupported(method, "takes a " + argument.type() + " argument, but connection callbacks take "
                        + "only a Connection" + (allowThrowable ? " and a Throwable" : ""));
            }
        }
        return new HandlerMethod(bean, method, arguments, ReplyShape.NONE, ResolvableType.NONE);
    }

    private static boolean isRawView(Class<?> type) {
        return type == String.class || type == byte[].class || type == ByteBuffer.class;
    }

    static ReplyShape replyShape(Method method) {
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class || returnType == Void.class) {
            return ReplyShape.NONE;
        }
        if (CompletionStage.class.isAssignableFrom(returnType)) {
            return ReplyShape.STAGE;
        }
        if (ReactorReplies.isPublisherType(returnType)) {
            return ReplyShape.PUBLISHER;
        }
        return ReplyShape.VALUE;
    }

    /** The type of one reply: the return type, or the element type of a CompletionStage or Publisher. */
    static ResolvableType replyType(Method method) {
        ResolvableType returned = ResolvableType.forMethodReturnType(method);
        return switch (replyShape(method)) {
            case NONE -> ResolvableType.NONE;
            case VALUE -> returned;
            case STAGE -> returned.as(CompletionStage.class).getGeneric(0);
            case PUBLISHER -> ReactorReplies.elementType(returned);
        };
    }

    private static Argument[] resolve(Method method, boolean callback) {
        Class<?>[] types = method.getParameterTypes();
        Argument[] arguments = new Argument[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            ResolvableType resolvable = ResolvableType.forMethodParameter(new MethodParameter(method, i));
            Kind kind;
            if (type == Message.class) {
                kind = Kind.MESSAGE;
            }
            else if (type == MessageContext.class) {
                kind = Kind.CONTEXT;
            }
            else if (type == Connection.class) {
                kind = Kind.CONNECTION;
            }
            else if (callback && Throwable.class.isAssignableFrom(type)) {
                kind = Kind.THROWABLE;
            }
            else if (callback) {
                throw unsupported(method, "has parameter " + i + " of unsupported type " + type.getName());
            }
            else {
                kind = Kind.PAYLOAD;
            }
            arguments[i] = new Argument(kind, resolvable,
                    kind == Kind.PAYLOAD ? validationHints(method.getParameters()[i].getAnnotations()) : null);
        }
        return arguments;
    }

    private static Object @Nullable [] validationHints(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            Object[] hints = ValidationAnnotationUtils.determineValidationHints(annotation);
            if (hints != null) {
                return hints;
            }
        }
        return null;
    }

    static IllegalStateException unsupported(Method method, String problem) {
        return new IllegalStateException("taps handler method " + method.getDeclaringClass().getName() + "."
                + method.getName() + " " + problem);
    }

    /** Whether a payload parameter is annotated {@code @Valid} or {@code @Validated}. */
    boolean validates() {
        for (Argument argument : this.arguments) {
            if (argument.validationHints() != null) {
                return true;
            }
        }
        return false;
    }

    ReplyShape replyShape() {
        return this.replyShape;
    }

    /**
     * Checks that {@code converters} read every payload parameter and write the reply type in
     * {@code contentType}, and returns the invoker that uses them.
     *
     * @throws IllegalStateException naming the parameter or return type no converter serves
     */
    Invoker bind(TapsMessageConverters converters, @Nullable MimeType contentType,
            @Nullable PayloadValidator validator) {
        for (int i = 0; i < this.arguments.length; i++) {
            Argument argument = this.arguments[i];
            if (argument.kind() == Kind.PAYLOAD && converters.readerFor(argument.type(), contentType).isEmpty()) {
                throw unsupported(this.method, "has parameter " + i + " of type " + argument.type()
                        + " that no TapsMessageConverter reads" + describe(contentType) + "; converters: "
                        + converters.getConverters() + " (add Jackson for JSON, or a TapsMessageConverter bean)");
            }
        }
        Class<?> reply = this.replyType.resolve();
        if (reply != null && reply != Object.class && reply != Void.class && reply != Message.class
                && converters.writerFor(reply, contentType).isEmpty()) {
            throw unsupported(this.method, "returns " + this.replyType + " that no TapsMessageConverter writes"
                    + describe(contentType) + "; converters: " + converters.getConverters());
        }
        if (validates() && validator == null) {
            throw unsupported(this.method, "has a @Valid/@Validated payload but the context has no unique "
                    + "jakarta.validation.Validator bean (add spring-boot-starter-validation)");
        }
        return new Invoker(this, converters, contentType, validator);
    }

    private static String describe(@Nullable MimeType contentType) {
        return contentType == null ? "" : " as " + contentType;
    }

    /** Calls a connection callback; exceptions propagate. */
    void invokeCallback(Connection connection, @Nullable Throwable error) throws Throwable {
        Object[] values = new Object[this.arguments.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = this.arguments[i].kind() == Kind.CONNECTION ? connection : error;
        }
        call(values);
    }

    private @Nullable Object call(Object[] values) throws Throwable {
        try {
            return this.method.invoke(this.bean, values);
        }
        catch (InvocationTargetException ex) {
            throw ex.getTargetException();
        }
    }

    @Override
    public String toString() {
        return this.method.getDeclaringClass().getSimpleName() + "." + this.method.getName();
    }

    /** Validates a converted payload ({@code @Valid}); see {@link BeanValidationPayloadValidator}. */
    interface PayloadValidator {
        /** @throws TapsPayloadValidationException when {@code payload} violates its constraints */
        void validate(Message raw, Object payload, Object[] hints);
    }

    /** A message handler bound to its listener's converters, content type and validator. */
    static final class Invoker {
        private final HandlerMethod handler;
        private final TapsMessageConverters converters;
        private final @Nullable MimeType contentType;
        private final @Nullable PayloadValidator validator;

        private Invoker(HandlerMethod handler, TapsMessageConverters converters, @Nullable MimeType contentType,
                @Nullable PayloadValidator validator) {
            this.handler = handler;
            this.converters = converters;
            this.contentType = contentType;
            this.validator = validator;
        }

        /**
         * Reads the payload, validates it and calls the method for {@code message}; returns what
         * the method returned (null, a value, a CompletionStage or a Publisher).
         *
         * @throws Throwable the conversion or validation failure, or the method's exception
         */
        @Nullable Object invoke(Connection connection, Message message) throws Throwable {
            Argument[] arguments = this.handler.arguments;
            Object[] values = new Object[arguments.length];
            for (int i = 0; i < values.length; i++) {
                Argument argument = arguments[i];
                values[i] = switch (argument.kind()) {
                    case MESSAGE -> message;
                    case CONTEXT -> message.context();
                    case CONNECTION -> connection;
                    case THROWABLE -> null;
                    case PAYLOAD -> payload(message, argument);
                };
            }
            return this.handler.call(values);
        }

        private @Nullable Object payload(Message message, Argument argument) {
            Object payload = this.converters.read(message, argument.type(), this.contentType);
            Object[] hints = argument.validationHints();
            if (hints != null && payload != null && this.validator != null) {
                this.validator.validate(message, payload, hints);
            }
            return payload;
        }

        @Override
        public String toString() {
            return this.handler.toString();
        }
    }
}
