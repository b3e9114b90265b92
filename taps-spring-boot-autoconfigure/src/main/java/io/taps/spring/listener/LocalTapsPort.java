package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the port a {@link TapsListener} bound (the {@code local.taps.<id>.port} property, like
 * Boot's {@code @LocalServerPort}) into a field of type {@code int}, {@code Integer},
 * {@code long} or {@code String}. Meant for tests and for beans created after the listeners
 * started; a field of a bean created earlier fails, because the port does not exist yet. Without
 * an id it injects {@code local.taps.port}, set when the application has a single listener.
 * {@code @Value("${local.taps.echo.port}")} works too.
 */
@Target({ ElementType.FIELD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LocalTapsPort {

    /** The listener id; empty for the single listener. */
    String value() default "";
}
