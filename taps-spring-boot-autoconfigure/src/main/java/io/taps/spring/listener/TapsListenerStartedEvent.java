package io.taps.spring.listener;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a {@link TapsListener} endpoint is bound and accepting (RFC 9622 §7.2), after its
 * port was written to the Environment as {@code local.taps.<id>.port}.
 */
public class TapsListenerStartedEvent extends ApplicationEvent {
    private static final long serialVersionUID = 1L;

    private final transient RunningTapsListener listener;

    public TapsListenerStartedEvent(TapsListenerRegistry registry, RunningTapsListener listener) {
        super(registry);
        this.listener = listener;
    }

    /** The started listener. */
    public RunningTapsListener getListener() {
        return this.listener;
    }
}
