package io.taps.internal.flow;

import java.util.Objects;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Flow.Publisher} with one subscriber at a time whose items come only as the subscriber's
 * demand asks for them: the machinery behind {@code Connection.messages()} and
 * {@code Listener.connections()}. A subclass keeps what it has ready and starts fetching more (a
 * Receive, an accept) only when the base asks, so no demand means nothing is fetched.
 *
 * <p>The Reactive Streams rules it keeps (java.util.concurrent.Flow is that specification):
 * onSubscribe before anything else (1.9); signals serialized by one drain loop, so an onNext never
 * runs inside another and a request made inside onNext only records demand (1.3, 3.3); never more
 * onNext than requested (1.1); nothing after onComplete or onError (1.7); request(n) with n &lt;= 0
 * ends with IllegalArgumentException (3.9); cancel stops fetching (3.5, 3.13); a second subscriber
 * while one is active gets onSubscribe and then onError(IllegalStateException) at once. An item a
 * fetch brought in after cancel is kept for the next subscriber, so cancelling loses no data.
 *
 * <p>Subclasses guard their state with this object's monitor: the hooks below are called holding it.
 */
public abstract class DemandPublisher<T> implements Flow.Publisher<T> {
    private static final Logger log = LoggerFactory.getLogger(DemandPublisher.class);
    /** What a terminal state is when it is completion rather than an error. */
    protected static final Object COMPLETE = new Object();

    private final String name;
    private Subscription current;
    private boolean draining;
    private boolean missed;

    protected DemandPublisher(String name) {
        this.name = name;
    }

    /** Whether an item is ready to be emitted. */
    protected abstract boolean hasItem();

    /** Takes the ready item (only called when {@link #hasItem()}). */
    protected abstract T takeItem();

    /**
     * The terminal state: null while open, {@link #COMPLETE} (signalled once every ready item was
     * taken) or a Throwable (signalled at once).
     */
    protected abstract Object terminal();

    /**
     * Called when demand is waiting and nothing is ready: returns the action that starts fetching
     * one more item (run outside the monitor; it calls {@link #signal()} when the item or the end
     * arrives), or null when a fetch is already running or none is possible.
     */
    protected abstract Runnable fetch();

    /** An item was emitted (its onNext returned); the default does nothing. Called outside the monitor. */
    protected void taken() {
    }

    /** The active subscriber cancelled; the default does nothing. Called outside the monitor. */
    protected void cancelled() {
    }

    @Override
    public final void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Subscription subscription = new Subscription(subscriber);
        boolean refused;
        synchronized (this) {
            refused = current != null;
            if (!refused) {
                current = subscription;
            }
        }
        if (refused) {
            subscriber.onSubscribe(new Subscription(subscriber));
            subscriber.onError(new IllegalStateException(name + " already has a subscriber: it serves one at a"
                    + " time (java.util.concurrent.Flow); cancel the first subscription before subscribing again"));
            return;
        }
        try {
            subscriber.onSubscribe(subscription);
        } catch (RuntimeException | Error failure) {
            log.warn("{}: onSubscribe threw; the subscription is cancelled (Reactive Streams rule 2.13)", name, failure);
            subscription.cancelSilently();
        }
        synchronized (this) {
            subscription.subscribed = true;
        }
        signal();
    }

    /** Something changed (an item arrived, the end, new demand): emit what may be emitted now. */
    protected final void signal() {
        synchronized (this) {
            if (draining) {
                missed = true;
                return;
            }
            draining = true;
        }
        drainLoop();
    }

    private void drainLoop() {
        while (true) {
            Runnable step;
            synchronized (this) {
                step = nextStep();
                if (step == null) {
                    if (missed) {
                        missed = false;
                        continue;
                    }
                    draining = false;
                    return;
                }
            }
            step.run();
        }
    }

    /** The next signal or fetch to run, decided holding the monitor; null when there is nothing to do. */
    private Runnable nextStep() {
        Subscription subscription = current;
        if (subscription == null || !subscription.subscribed) {
            // Until onSubscribe returns, its request(n) only records demand: no onNext inside it (1.3).
            return null;
        }
        if (subscription.invalidRequest != null) {
            current = null;
            IllegalArgumentException error = subscription.invalidRequest;
            return () -> subscription.error(error);
        }
        Object end = terminal();
        if (end instanceof Throwable) {
            current = null;
            return () -> subscription.error((Throwable) end);
        }
        if (hasItem()) {
            if (subscription.demand == 0) {
                return null;
            }
            subscription.demand--;
            T item = takeItem();
            return () -> {
                subscription.next(item);
                taken();
            };
        }
        if (end == COMPLETE) {
            current = null;
            return subscription::complete;
        }
        return subscription.demand > 0 ? fetch() : null;
    }

    /** One subscriber's subscription; its demand is guarded by the publisher's monitor. */
    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super T> subscriber;
        private long demand;
        private boolean cancelled;
        private boolean subscribed;
        private IllegalArgumentException invalidRequest;

        Subscription(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            synchronized (DemandPublisher.this) {
                if (cancelled || current != this) {
                    return;
                }
                if (n <= 0) {
                    invalidRequest = new IllegalArgumentException("request(" + n + "): demand must be positive"
                            + " (Reactive Streams rule 3.9)");
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
            }
            signal();
        }

        @Override
        public void cancel() {
            if (cancelSilently()) {
                cancelled();
            }
        }

        /** Ends this subscription without a signal; true when it was the active one. */
        boolean cancelSilently() {
            synchronized (DemandPublisher.this) {
                cancelled = true;
                demand = 0;
                if (current != this) {
                    return false;
                }
                current = null;
                return true;
            }
        }

        void next(T item) {
            try {
                subscriber.onNext(item);
            } catch (RuntimeException | Error failure) {
                log.warn("{}: onNext threw; the subscription is cancelled (Reactive Streams rule 2.13)", name, failure);
                cancel();
            }
        }

        void complete() {
            try {
                subscriber.onComplete();
            } catch (RuntimeException | Error failure) {
                log.warn("{}: onComplete threw (Reactive Streams rule 2.13)", name, failure);
            }
        }

        void error(Throwable error) {
            try {
                subscriber.onError(error);
            } catch (RuntimeException | Error failure) {
                log.warn("{}: onError threw (Reactive Streams rule 2.13)", name, failure);
            }
        }
    }
}
