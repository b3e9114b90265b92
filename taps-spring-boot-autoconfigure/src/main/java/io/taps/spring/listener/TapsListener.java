package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a bean method as the Message handler of a taps Listener (RFC 9622 §7.2 Listen, §9.3
 * Receive): the {@link TapsListenerRegistry} listens on the given port with the named property
 * profile and calls the method for every Message each accepted Connection receives, in order per
 * Connection.
 *
 * <p><b>Arguments</b>, resolved by type in any order: {@link io.taps.Message}, {@link io.taps.MessageContext},
 * {@link io.taps.Connection}, and the <b>payload</b>: the one parameter of any other type (or the one
 * marked {@link TapsPayload}), read from the Message's bytes by the
 * {@link io.taps.spring.convert.TapsMessageConverters} in the listener's {@link #contentType()}:
 * records and POJOs as JSON through Boot's Jackson {@code JsonMapper}, {@code String} (UTF-8 unless
 * {@code taps.conversion.charset} or the content type's {@code charset} says otherwise),
 * {@code byte[]}, {@link java.nio.ByteBuffer} (read-only), or anything a
 * {@link io.taps.spring.convert.TapsMessageConverter} bean reads. {@code String}, {@code byte[]}
 * and {@code ByteBuffer} parameters next to a typed payload are raw views of the same bytes. A
 * payload annotated {@code @Valid} or {@code @Validated} is checked with the application's Bean
 * Validation {@code Validator}; violations raise a {@link TapsPayloadValidationException} and the
 * method is not called. A parameter or return type no converter serves, or {@code @Valid} without
 * a {@code Validator} bean, fails start-up.
 *
 * <p><b>Return value</b>: {@code void}/{@code null} sends nothing; any other value is converted
 * like the payload and Sent back on the same Connection (RFC 9622 §9.2) as the reply; a
 * {@link java.util.concurrent.CompletionStage} sends its value when it completes; a {@code Mono} or
 * {@code Flux} (with Reactor on the class path) sends one reply per element, in order, each Sent
 * before the next is requested. The next Message of the Connection is handled once every reply was
 * Sent.
 *
 * <p><b>Errors</b>: an exception of the method or its asynchronous result, a payload that cannot be
 * read ({@link io.taps.spring.convert.TapsMessageConversionException} with the raw Message), a
 * failed validation and a reply that cannot be converted or Sent ({@link TapsReplyException}) go
 * to the {@link TapsExceptionHandler} methods of this bean, then of the {@link TapsControllerAdvice}
 * beans, which may answer with a reply and close or abort the Connection
 * ({@link TapsErrorAction}); what none handles goes to the {@link TapsListenerErrorHandler} named
 * by {@link #errorHandler()} or the context's, and the Connection stays open. Both run with the
 * Message's Observation current, so their log lines carry its trace id. Each listener's figures
 * (in flight, handled, failed, last error) are kept in {@link RunningTapsListener#handlerFigures()}.
 *
 * <p>On a byte stream without a framer (plain TCP) a "Message" is whatever bytes arrived
 * (ReceivedPartial, RFC 9622 §9.3.2.2); name a framer in the profile to get whole Messages.
 *
 * <pre>{@code
 * record ChatMessage(@NotBlank String user, @Size(max = 20) String text) {}
 * record ChatReceipt(String user, int length) {}
 *
 * @TapsListener(id = "chat", profile = "chat", port = "${chat.port:7000}")
 * ChatReceipt onMessage(@Valid ChatMessage message, Connection connection) {
 *     return new ChatReceipt(message.user(), message.text().length());
 * }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(TapsMessageTypesReflectiveProcessor.class)
public @interface TapsListener {

    /** The listener id, unique in the context; defaults to {@code <beanName>.<methodName>}. */
    String id() default "";

    /** The property profile ({@code taps.profiles.<name>} or a built-in); defaults to {@code default}. */
    String profile() default "";

    /**
     * The local port; {@code ${...}} placeholders allowed, {@code 0} asks for an ephemeral port.
     * Empty means the profile's {@code local.port}.
     */
    String port() default "";

    /** The local address or host to bind; placeholders allowed. Empty means the profile's, else every address. */
    String host() default "";

    /** Whether the listener starts with the context; placeholders allowed. Empty follows {@code taps.listener.auto-startup}. */
    String autoStartup() default "";

    /**
     * The content type of the Messages, which picks the converter of the payload and the replies
     * (for example {@code application/json}, or {@code text/plain;charset=ISO-8859-1}); placeholders
     * allowed. Empty means the profile's {@code content-type}, else the converters decide by the
     * Java type alone (JSON for records and POJOs when Jackson is present).
     */
    String contentType() default "";

    /**
     * The bean name of the {@link TapsListenerErrorHandler} for this listener's errors that no
     * {@link TapsExceptionHandler} handled; placeholders allowed. Empty means the context's
     * {@code TapsListenerErrorHandler} bean (by default one that logs at WARN).
     */
    String errorHandler() default "";
}
