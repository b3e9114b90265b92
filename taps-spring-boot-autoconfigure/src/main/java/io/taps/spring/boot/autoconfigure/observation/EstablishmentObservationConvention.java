package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the taps establishment Observation; define a bean to replace
 * {@link DefaultEstablishmentObservationConvention}.
 */
public interface EstablishmentObservationConvention extends ObservationConvention<EstablishmentObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof EstablishmentObservationContext;
    }
}
