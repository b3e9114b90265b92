/**
 * Spring Boot auto-configuration of taps (RFC 9622/9623): {@code taps.*} properties, the
 * {@link io.taps.TransportServices} bean and the named property profiles.
 */
@NullMarked
package io.taps.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
