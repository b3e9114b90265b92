/**
 * Conversion between taps Messages (RFC 9622 §9.1) and the Java types of listener methods and
 * clients: the {@link io.taps.spring.convert.TapsMessageConverter} SPI and its built-in converters.
 */
@NullMarked
package io.taps.spring.convert;

import org.jspecify.annotations.NullMarked;
