package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port a {@link TapsListener} bound (RFC 9622 §7.2 Listener), like Boot's
 * {@code @LocalServerPort}: on a field, a setter or other injection method, a constructor or a
 * test-method parameter of type {@code int}, {@code Integer}, {@code long} or {@code String}.
 * With an id it is {@code @Value("${local.taps.<id>.port}")}; without one it is
 * {@code @Value("${local.taps.port}")}, which exists only when the application has a single
 * listener (with several it fails, naming their ids).
 *
 * <p>It is a meta-annotated {@link Value}, so it is resolved wherever {@code @Value} is, including
 * test instances in AOT mode; the id is turned into the placeholder by
 * {@link LocalTapsPortAutowireCandidateResolver}, which the taps listener auto-configuration
 * installs. The port exists once the listener has started: inject it into tests and into beans
 * created after the context started, not into singletons created during start-up.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${" + LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY + "}")
public @interface LocalTapsPort {

    /** The property holding the port when the application has a single listener. */
    String SINGLE_LISTENER_PORT_PROPERTY = "local.taps.port";

    /** The listener id; empty for the single listener. */
    String value() default "";
}
