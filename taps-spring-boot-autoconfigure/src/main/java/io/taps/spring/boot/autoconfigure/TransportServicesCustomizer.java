package io.taps.spring.boot.autoconfigure;

import io.taps.TransportServices;

/**
 * Customizes the {@link TransportServices.Builder} of the auto-configured Transport Services system
 * (RFC 9622 §3) after the {@code taps.*} properties were applied, for example to set an event
 * executor. Customizer beans run in {@link org.springframework.core.annotation.Order @Order}.
 */
@FunctionalInterface
public interface TransportServicesCustomizer {

    /** Changes {@code builder} before the system is built. */
    void customize(TransportServices.Builder builder);
}
