package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.taps.spring.listener.ListenerHandlerFigures;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerStartedEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    /** The meters registered per listener id, with the figures they read. */
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();

    public TapsListenerHandlerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onApplicationEvent(TapsListenerStartedEvent event) {
        RunningTapsListener listener = event.getListener();
        ListenerHandlerFigures figures = listener.handlerFigures();
        // The figures outlive restarts of the listener: a restart finds its meters in place (Micrometer
        // warns about a gauge registered twice). Other figures under the same id replace the old meters,
        // which would otherwise go on reading the figures of a listener that is gone.
        this.registered.compute(listener.id(), (id, previous) -> {
            if (previous != null && previous.figures() == figures) {
                return previous;
            }
            if (previous != null) {
                previous.meters().forEach(this.registry::remove);
            }
            return new Registered(figures, register(id, figures));
        });
    }

    private List<Meter> register(String id, ListenerHandlerFigures figures) {
        return List.of(
            Gauge.builder("taps.listener.messages.in.flight", figures, ListenerHandlerFigures::inFlight)
                .description("Messages a taps listener is handling (replies not all Sent yet)")
                .tag(LISTENER_ID_TAG, id)
                .register(this.registry),
            FunctionCounter.builder("taps.listener.messages.handled", figures, ListenerHandlerFigures::handled)
                .description("Messages a taps listener handled without error")
                .tag(LISTENER_ID_TAG, id)
                .register(this.registry),
            FunctionCounter.builder("taps.listener.messages.failed", figures, ListenerHandlerFigures::failed)
                .description("Messages whose handling or reply failed in a taps listener")
                .tag(LISTENER_ID_TAG, id)
                .register(this.registry));
    }

    private record Registered(ListenerHandlerFigures figures, List<Meter> meters) {
    }
}
