package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys;

/**
 * The default message-handling Observation: name {@code taps.listener.message}, a server span;
 * low-cardinality
 * {@code taps.listener.id}, {@code taps.profile} and {@code taps.protocol.stack}; high-cardinality
 * {@code network.peer.address}.
 */
public class DefaultListenerMessageObservationConvention implements ListenerMessageObservationConvention {

    public static final DefaultListenerMessageObservationConvention INSTANCE =
            new DefaultListenerMessageObservationConvention();

    @Override
    public String getName() {
        return "taps.listener.message";
    }

    @Override
    public String getContextualName(ListenerMessageObservationContext context) {
        return "taps " + context.getListener().id() + " receive";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ListenerMessageObservationContext context) {
        return KeyValues.of(TapsTagKeys.LISTENER_ID, context.getListener().id(), TapsTagKeys.PROFILE,
                context.getListener().profile(), TapsTagKeys.PROTOCOL_STACK,
                context.getConnection().protocolStack().orElse(TapsTagKeys.NONE));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(ListenerMessageObservationContext context) {
        return context.getConnection().remoteEndpoint()
                .map(remote -> KeyValues.of("network.peer.address", remote.toString())).orElse(KeyValues.empty());
    }
}
