package io.taps.internal.framer;

import io.netty.channel.ChannelPipeline;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerFactory;
import io.taps.properties.Role;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The framers of one channel (one establishment attempt or one accepted connection), RFC 9623 §6,
 * one {@link FramerHandler} per framer between the transport ({@code tls}, or the
 * socket) and the {@code taps} handler. The first framer of the Preconnection sits nearest the
 * application (it frames first and parses last), the last one nearest the network.
 *
 * <p>It starts the framers once the transport is ready and reports the outcome once: ready when
 * every framer called makeConnectionReady, failed when one called failConnection (or threw)
 * before that.
 */
public final class FramerStack {
    /** The pipeline names of the first framers, shared by every Connection (issue 21 item 4). */
    private static final String[] NAMES = {"framer-0", "framer-1", "framer-2", "framer-3"};

    private final Role role;
    /**
     * The one framer's handler, or an array of the exact size when there are several (index 0
     * nearest the application, the last one nearest the network): a list keeps ten slots and a
     * wrapper (~56 B of every Connection, issue 21 item 4), and even an array of one is 24 B of
     * every Connection with the usual one framer (figure 12); framers are added below another only
     * rarely (STARTTLS-style).
     */
    private Object handlers;
    private Runnable onReady;
    private Consumer<TransportServicesException> onFailed;
    private boolean starting;
    private boolean started;
    private boolean outcomeReported;
    private int notReady;
    private int names;

    private FramerStack(Role role) {
        this.role = role;
    }

    /**
     * Adds one handler per framer at the end of {@code pipeline} (call it after the transport's
     * handlers and before {@code taps}); null when there are no framers. Every factory is asked
     * for a new framer.
     */
    public static FramerStack install(ChannelPipeline pipeline, List<FramerFactory> factories, Role role) {
        if (factories == null || factories.isEmpty()) {
            return null;
        }
        FramerStack stack = new FramerStack(role);
        FramerHandler[] handlers = new FramerHandler[factories.size()];
        for (int i = 0; i < handlers.length; i++) {
            FramerFactory factory = factories.get(i);
            Framer framer = factory.newFramer();
            if (framer == null) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "the FramerFactory " + factory + " returned no framer");
            }
            handlers[i] = new FramerHandler(stack, framer);
        }
        stack.handlers = handlers.length == 1 ? handlers[0] : handlers;
        for (int i = handlers.length - 1; i >= 0; i--) {
            pipeline.addLast(stack.nextName(), handlers[i]);
        }
        return stack;
    }

    Role role() {
        return role;
    }

    String nextName() {
        int index = names++;
        // Constant names for the usual few framers: a name built per Connection is two objects it keeps.
        return index < NAMES.length ? NAMES[index] : "framer-" + index;
    }

    boolean isLowest(FramerHandler handler) {
        if (handlers instanceof FramerHandler[]) {
            FramerHandler[] several = (FramerHandler[]) handlers;
            return several[several.length - 1] == handler;
        }
        return handlers == handler;
    }

    /** The handlers as an array (a new one when there is one handler). */
    private FramerHandler[] handlerArray() {
        return handlers instanceof FramerHandler[] ? (FramerHandler[]) handlers
                : new FramerHandler[] {(FramerHandler) handlers};
    }

    boolean outcomeReported() {
        return outcomeReported;
    }

    boolean started() {
        return started;
    }

    /** Records {@code added} directly below {@code above} and starts it if the stack runs. */
    void insertBelow(FramerHandler above, FramerHandler added) {
        FramerHandler[] current = handlerArray();
        int at = Arrays.asList(current).indexOf(above) + 1;
        FramerHandler[] grown = new FramerHandler[current.length + 1];
        System.arraycopy(current, 0, grown, 0, at);
        grown[at] = added;
        System.arraycopy(current, at, grown, at + 1, current.length - at);
        handlers = grown;
        if (!outcomeReported) {
            notReady++;
        }
    }

    /**
     * Starts every framer, nearest the network first, now that the transport is ready; exactly
     * one of the callbacks runs, perhaps before this returns.
     */
    public void start(Runnable whenReady, Consumer<TransportServicesException> whenFailed) {
        this.onReady = whenReady;
        this.onFailed = whenFailed;
        this.started = true;
        this.starting = true;
        // The framers there now: one inserted while they start is started by its insertion.
        FramerHandler[] initial = handlerArray();
        notReady += initial.length;
        for (int i = initial.length - 1; i >= 0 && !outcomeReported; i--) {
            initial[i].start();
        }
        starting = false;
        checkReady();
    }

    void handlerReady() {
        if (!outcomeReported) {
            notReady--;
            checkReady();
        }
    }

    private void checkReady() {
        if (!starting && !outcomeReported && notReady == 0) {
            outcomeReported = true;
            Runnable ready = onReady;
            forgetCallbacks();
            ready.run();
        }
    }

    /** A failure before Ready rejects the candidate; true when it was reported that way. */
    boolean failBeforeReady(TransportServicesException error) {
        if (outcomeReported) {
            return false;
        }
        outcomeReported = true;
        Consumer<TransportServicesException> failed = onFailed;
        forgetCallbacks();
        if (failed != null) {
            failed.accept(error);
        }
        return true;
    }

    /** The outcome is told once: the callbacks (and what they hold) are not kept for the Connection's life. */
    private void forgetCallbacks() {
        onReady = null;
        onFailed = null;
    }
}
