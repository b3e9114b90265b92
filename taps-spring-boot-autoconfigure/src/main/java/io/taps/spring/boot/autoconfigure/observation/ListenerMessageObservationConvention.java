package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the {@code @TapsListener} message-handling Observation; define a bean
 * to replace {@link DefaultListenerMessageObservationConvention}.
 */
public interface ListenerMessageObservationConvention extends ObservationConvention<ListenerMessageObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof ListenerMessageObservationContext;
    }
}
