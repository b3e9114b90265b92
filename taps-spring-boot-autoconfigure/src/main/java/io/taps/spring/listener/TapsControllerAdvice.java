package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.stereotype.Component;

/**
 * A bean whose {@link TapsExceptionHandler} methods apply to every {@link TapsListener} (or to
 * those named in {@link #listeners()}), after the exception handlers of the listener's own bean.
 * Several advice beans are searched in their {@link org.springframework.core.annotation.Order @Order}.
 * A {@link Component}, so component scanning finds it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface TapsControllerAdvice {

    /** The listener ids this advice applies to; empty for every listener. */
    String[] listeners() default {};
}
