package io.taps.internal.flow;

/**
 * A {@link DemandPublisher} that fetches one item at a time from its source (a Receive, a blocking
 * read): it holds at most one ready item, starts the next fetch only when that item was taken and
 * demand waits, and records the source's end. Subclasses say how to start a fetch and report its
 * result with {@link #fetched}.
 */
abstract class SingleFetchPublisher<T> extends DemandPublisher<T> {
    private T ready;
    private boolean fetching;
    private Object end;

    SingleFetchPublisher(String name) {
        super(name);
    }

    /** Starts fetching one item; runs outside the monitor and ends with one call of {@link #fetched}. */
    protected abstract void startFetch();

    /**
     * The running fetch ended with {@code item} (null for none) and/or {@code end} (null while the
     * source is open, {@link #COMPLETE} or a Throwable); signals the subscriber.
     */
    protected final void fetched(T item, Object end) {
        synchronized (this) {
            fetching = false;
            ready = item;
            this.end = end;
        }
        signal();
    }

    @Override
    protected final boolean hasItem() {
        return ready != null;
    }

    @Override
    protected final T takeItem() {
        T item = ready;
        ready = null;
        return item;
    }

    @Override
    protected final Object terminal() {
        return end;
    }

    @Override
    protected final Runnable fetch() {
        if (fetching || ready != null || end != null) {
            return null;
        }
        fetching = true;
        return this::startFetch;
    }
}
