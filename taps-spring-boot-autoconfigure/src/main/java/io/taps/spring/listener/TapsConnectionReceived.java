package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a bean method called when the {@link TapsListener} with the given id accepts a Connection
 * (RFC 9622 §7.2 ConnectionReceived, E-03), before its first Message is handled. The method may
 * take a {@link io.taps.Connection} argument and returns nothing; it runs where handlers run, and
 * an exception goes to the {@link TapsListenerErrorHandler}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective
public @interface TapsConnectionReceived {

    /** The id of the {@link TapsListener}. */
    String value();
}
