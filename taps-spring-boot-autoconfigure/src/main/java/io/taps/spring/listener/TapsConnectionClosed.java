package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a bean method called when a Connection accepted by the {@link TapsListener} with the given
 * id ends (RFC 9622 §10: Closed, E-17, or ConnectionError, E-18), after its last Message was
 * handled. The method may take a {@link io.taps.Connection} and a {@link Throwable} (the error,
 * {@code null} after a graceful close) and returns nothing.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective
public @interface TapsConnectionClosed {

    /** The id of the {@link TapsListener}. */
    String value();
}
