package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Maps an exception raised while a {@link TapsListener} handled a Message to a reply and/or an
 * action on the Connection, like Spring MVC's {@code @ExceptionHandler}. Declared in the bean of
 * the {@code @TapsListener} method (for its listeners) or in a {@link TapsControllerAdvice} bean
 * (for every listener). For an error, the handler bean's methods are searched first, then the
 * advice beans in their {@code @Order}; within one bean the method declared for the most specific
 * exception type wins; an exception whose type no method names is matched again by its causes.
 * Unmatched errors go to the listener's {@link TapsListenerErrorHandler}.
 *
 * <p>Errors covered: the handler method's exception or its failed asynchronous result, a payload
 * that could not be read ({@link io.taps.spring.convert.TapsMessageConversionException}, with the
 * raw Message), a payload that failed {@code @Valid} ({@link TapsPayloadValidationException}), and
 * a reply that could not be written or Sent ({@link TapsReplyException}).
 *
 * <p><b>Arguments</b>, by type in any order: the exception (a {@link Throwable} subtype; when
 * {@link #value()} is empty, its type is the one handled), the received {@link io.taps.Message}
 * (raw, never converted), its {@link io.taps.MessageContext}, the {@link io.taps.Connection}.
 * <b>Return value</b>: {@code void}/{@code null} sends nothing; a {@link TapsErrorAction} chooses
 * the action; anything else is the reply, converted and Sent like a handler's return value
 * (including a {@code CompletionStage}, {@code Mono} or {@code Flux}). After the reply, the
 * {@link #action()} is applied: keep the Connection open (default), close it, or abort it. A
 * reply of an exception handler that itself fails, and an exception handler that throws, go to
 * the {@link TapsListenerErrorHandler}.
 *
 * <pre>{@code
 * @TapsExceptionHandler(action = TapsErrorAction.CLOSE)
 * Problem invalid(TapsPayloadValidationException ex) {
 *     return new Problem("invalid", ex.getMessage());
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(TapsMessageTypesReflectiveProcessor.class)
public @interface TapsExceptionHandler {

    /** The exception types handled; empty means the type of the method's Throwable parameter. */
    Class<? extends Throwable>[] value() default {};

    /** What happens to the Connection after the reply; ignored when the method returns a {@link TapsErrorAction}. */
    TapsErrorAction action() default TapsErrorAction.KEEP_OPEN;
}
