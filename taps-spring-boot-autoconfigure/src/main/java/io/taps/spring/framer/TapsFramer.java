package io.taps.spring.framer;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a {@link io.taps.framer.FramerFactory} bean (RFC 9622 §9.1.2.1 Message Framers) so that
 * property profiles can list it under {@code taps.profiles.<name>.framers}. Put it on a
 * {@code @Bean} method returning a {@code FramerFactory} or on a {@code FramerFactory} component
 * class. A bean named like a built-in framer ({@code length-prefix}, {@code line}, {@code tlv})
 * replaces it.
 *
 * <pre>{@code
 * @Bean @TapsFramer("length-prefix-2")
 * FramerFactory shortLengthPrefix() { return LengthPrefixFramer.factory(2); }
 * }</pre>
 *
 * <p>The factory is asked for a new framer for every Connection, so framers may keep
 * per-Connection state (design decision Q-13).
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TapsFramer {

    /** The framer's name as profiles reference it. */
    String value();
}
