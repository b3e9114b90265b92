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
 * <p><b>Arguments</b>, resolved by type in any order: {@link io.taps.Message}, {@code byte[]},
 * {@link String} (UTF-8), {@link java.nio.ByteBuffer} (read-only), {@link io.taps.MessageContext},
 * {@link io.taps.Connection}. <b>Return value</b>: {@code void}/{@code null} sends nothing;
 * a {@code String}, {@code byte[]}, {@code ByteBuffer} or {@link io.taps.Message} (or a
 * {@link java.util.concurrent.CompletionStage} of one) is sent back on the same Connection as the
 * reply. A handler exception goes to the {@link TapsListenerErrorHandler} bean and neither the
 * Listener nor the Connection is closed.
 *
 * <p>On a byte stream without a framer (plain TCP) a "Message" is whatever bytes arrived
 * (ReceivedPartial, RFC 9622 §9.3.2.2); name a framer in the profile to get whole Messages.
 *
 * <pre>{@code
 * @TapsListener(id = "chat", profile = "chat", port = "${chat.port:7000}")
 * String onMessage(String text, Connection connection) {
 *     return "echo: " + text;
 * }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective
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
