/**
 * Annotation-driven taps Listeners (RFC 9622 §7.2): {@link io.taps.spring.listener.TapsListener}
 * methods, collected by a bean post-processor, registered through a registrar and run by the
 * {@link io.taps.spring.listener.TapsListenerRegistry} lifecycle (the Spring Kafka model).
 */
@NullMarked
package io.taps.spring.listener;

import org.jspecify.annotations.NullMarked;
