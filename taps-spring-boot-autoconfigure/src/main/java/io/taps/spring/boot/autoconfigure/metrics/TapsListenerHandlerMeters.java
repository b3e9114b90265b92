package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taps.spring.listener.ListenerHandlerFigures;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerStartedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The handler figures of each {@code @TapsListener} ({@link ListenerHandlerFigures}) as meters,
 * registered when the listener starts and read from the figures the listener keeps, so handling a
 * Message costs nothing extra. Tag {@code taps.listener.id}: the listener id, from the application's
 * own configuration, so low-cardinality.
 *
 * <ul>
 * <li>{@code taps.listener.messages.in.flight} (gauge): Messages being handled, replies not all Sent;</li>
 * <li>{@code taps.listener.messages.handled} (counter): Messages handled without error;</li>
 * <li>{@code taps.listener.messages.failed} (counter): Messages whose handling, payload conversion or
 * validation, or reply failed.</li>
 * </ul>
 */
public final class TapsListenerHandlerMeters implements ApplicationListener<TapsListenerStartedEvent> {
    /** The tag key of the listener id. */
    public static final String LISTENER_ID_TAG = "taps.listener.id";

    private final MeterRegistry registry;

    public TapsListenerHandlerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onApplicationEvent(TapsListenerStartedEvent event) {
        RunningTapsListener listener = event.getListener();
        // The figures outlive restarts of the listener, so registering again finds the same meters.
        ListenerHandlerFigures figures = listener.handlerFigures();
        Gauge.builder("taps.listener.messages.in.flight", figures, ListenerHandlerFigures::inFlight)
            .description("Messages a taps listener is handling (replies not all Sent yet)")
            .tag(LISTENER_ID_TAG, listener.id())
            .register(this.registry);
        FunctionCounter.builder("taps.listener.messages.handled", figures, ListenerHandlerFigures::handled)
            .description("Messages a taps listener handled without error")
            .tag(LISTENER_ID_TAG, listener.id())
            .register(this.registry);
        FunctionCounter.builder("taps.listener.messages.failed", figures, ListenerHandlerFigures::failed)
            .description("Messages whose handling or reply failed in a taps listener")
            .tag(LISTENER_ID_TAG, listener.id())
            .register(this.registry);
    }
}
