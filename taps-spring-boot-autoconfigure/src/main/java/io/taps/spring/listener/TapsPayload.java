package io.taps.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a {@link TapsListener} method that receives the Message's payload
 * (RFC 9622 §9.3: the data of a received Message), converted by the
 * {@link io.taps.spring.convert.TapsMessageConverters} to the parameter's type. Needed only to
 * make a method clearer: without it the one parameter that is not a
 * {@link io.taps.Message}, {@link io.taps.MessageContext} or {@link io.taps.Connection} is the
 * payload, and {@code String}, {@code byte[]} and {@code ByteBuffer} parameters next to it are
 * raw views of the same bytes.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TapsPayload {
}
