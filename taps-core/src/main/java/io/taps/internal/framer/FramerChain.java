package io.taps.internal.framer;

import io.taps.TransportServicesException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The {@link FramerStack} of several framers, or of one whose outcome is still pending (its
 * runtime drops the chain once it is told, {@link FramerRuntime#settle}): which runtime is
 * lowest, the pipeline names, and the count of framers not yet ready.
 */
final class FramerChain implements FramerStack {
    /** The pipeline names of the first framers, shared by every Connection (issue 21 item 4). */
    private static final String[] NAMES = {"framer-0", "framer-1", "framer-2", "framer-3"};

    /**
     * The one framer's runtime, or an array of the exact size when there are several (index 0
     * nearest the application, the last one nearest the network).
     */
    private Object runtimes;
    private Runnable onReady;
    private Consumer<TransportServicesException> onFailed;
    /** A failure before the stack started, reported by {@link #start}. */
    private TransportServicesException earlyFailure;
    private boolean starting;
    private boolean started;
    private boolean outcomeReported;
    private int notReady;
    private int names;

    FramerChain(int names) {
        this.names = names;
    }

    /** The chain of one runtime that was alone until now; {@code settled}: started and its outcome told. */
    static FramerChain solo(FramerRuntime runtime, boolean settled) {
        FramerChain chain = new FramerChain(1);
        chain.runtimes = runtime;
        chain.started = settled;
        chain.outcomeReported = settled;
        return chain;
    }

    void install(FramerRuntime[] several) {
        runtimes = several;
    }

    static String name(int index) {
        // Constant names for the usual few framers: a name built per Connection is two objects it keeps.
        return index < NAMES.length ? NAMES[index] : "framer-" + index;
    }

    String nextName() {
        return name(names++);
    }

    boolean isLowest(FramerRuntime runtime) {
        if (runtimes instanceof FramerRuntime[]) {
            FramerRuntime[] several = (FramerRuntime[]) runtimes;
            return several[several.length - 1] == runtime;
        }
        return runtimes == runtime;
    }

    /** The runtimes as an array (a new one when there is one runtime). */
    private FramerRuntime[] runtimeArray() {
        return runtimes instanceof FramerRuntime[] ? (FramerRuntime[]) runtimes
                : new FramerRuntime[] {(FramerRuntime) runtimes};
    }

    boolean outcomeReported() {
        return outcomeReported;
    }

    boolean started() {
        return started;
    }

    /** Records {@code added} directly below {@code above}; it counts as not ready while the outcome is pending. */
    void insertBelow(FramerRuntime above, FramerRuntime added) {
        FramerRuntime[] current = runtimeArray();
        int at = Arrays.asList(current).indexOf(above) + 1;
        FramerRuntime[] grown = new FramerRuntime[current.length + 1];
        System.arraycopy(current, 0, grown, 0, at);
        grown[at] = added;
        System.arraycopy(current, at, grown, at + 1, current.length - at);
        runtimes = grown;
        if (started && !outcomeReported) {
            notReady++;
        }
    }

    @Override
    public void start(Runnable whenReady, Consumer<TransportServicesException> whenFailed) {
        if (started) {
            return;
        }
        started = true;
        if (outcomeReported) {
            // A framer failed before the transport was ready (e.g. too much input): told now.
            settleSolo();
            if (earlyFailure != null) {
                whenFailed.accept(earlyFailure);
            }
            return;
        }
        this.onReady = whenReady;
        this.onFailed = whenFailed;
        this.starting = true;
        // The framers there now: one inserted while they start is started by its insertion.
        if (runtimes instanceof FramerRuntime) {
            // The usual single framer, without the array runtimeArray makes (24 B of every start).
            FramerRuntime solo = (FramerRuntime) runtimes;
            notReady += solo.ready() ? 0 : 1;
            solo.startFramer();
        } else {
            FramerRuntime[] initial = (FramerRuntime[]) runtimes;
            for (FramerRuntime runtime : initial) {
                // One that called makeConnectionReady before the start is ready already.
                notReady += runtime.ready() ? 0 : 1;
            }
            for (int i = initial.length - 1; i >= 0 && !outcomeReported; i--) {
                initial[i].startFramer();
            }
        }
        starting = false;
        checkReady();
    }

    void runtimeReady() {
        if (started && !outcomeReported) {
            notReady--;
            checkReady();
        }
    }

    private void checkReady() {
        if (!starting && !outcomeReported && notReady == 0) {
            outcomeReported = true;
            Runnable ready = onReady;
            forgetCallbacks();
            settleSolo();
            ready.run();
        }
    }

    /** A failure before Ready rejects the candidate; true when it was reported that way. */
    boolean failBeforeReady(TransportServicesException error) {
        if (outcomeReported) {
            return false;
        }
        outcomeReported = true;
        if (!started) {
            earlyFailure = error;
            return true;
        }
        Consumer<TransportServicesException> failed = onFailed;
        forgetCallbacks();
        settleSolo();
        failed.accept(error);
        return true;
    }

    /** The outcome is told once: the callbacks (and what they hold) are not kept for the Connection's life. */
    private void forgetCallbacks() {
        onReady = null;
        onFailed = null;
    }

    /** A single framer whose outcome is told needs no chain any more: its runtime drops it. */
    private void settleSolo() {
        if (runtimes instanceof FramerRuntime) {
            ((FramerRuntime) runtimes).settle(this);
        }
    }
}
