package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.properties.Role;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Runs one {@link Framer} (RFC 9623 §6) and is its {@link FramerContext}, on behalf of the
 * pipeline handler it is hosted by ({@link FramerHost}): the taps handler itself for the only
 * framer of a TCP or TLS Connection, so that one framer costs no pipeline handler nor context
 * (64 B and a 48 B handler of every framed Connection, issue 21 figure 12), or a
 * {@link FramerHandler} of its own in a chain of framers, on a QUIC stream and for a framer
 * prepended below another (STARTTLS-style). It reaches the channel through its host's context:
 * what it delivers or lets through goes to the host ({@link FramerHost#framerRead}), what it
 * sends down from there.
 *
 * <p>One object in layers, each a file of its own: its input ({@link FramerInput}), the state
 * its calls share ({@link FramerState}), the receive side ({@link FramerReceiver}), the send side
 * ({@link FramerSender}), and here the framer's start and stop and the calls that change its mode
 * (prepending a framer, stepping aside, closing). What is seldom held is in {@link RareState}.
 *
 * <p>The only framer of a channel is also its {@link FramerStack} (no stack object kept).
 */
public final class FramerRuntime extends FramerSender implements FramerStack {
    /** A runtime for {@code framer}; {@code chain} null when it is the only framer of its channel. */
    FramerRuntime(Framer framer, Role role, FramerChain chain) {
        super(framer, role);
        if (chain != null) {
            rare().chain = chain;
        }
    }

    /** Marks this only framer as hosted by the taps handler ({@link FramerStack#installHosted}). */
    FramerRuntime hosted() {
        flag(HOSTED, true);
        return this;
    }

    @Override
    public void start(Runnable whenReady, Consumer<TransportServicesException> whenFailed) {
        madeChain().start(whenReady, whenFailed);
    }

    /** Start (RFC 9623 §6.1) of this runtime's framer, by its chain. */
    void startFramer() {
        if (flag(STARTED) || flag(FAILED)) {
            return;
        }
        flag(STARTED, true);
        enter();
        try {
            framer.start(this);
        } catch (Throwable thrown) {
            framerThrew("start", thrown);
        } finally {
            exit();
        }
        runHandoff();
        if (!flag(FAILED) && !flag(PASSTHROUGH)) {
            process();
        }
    }

    /** The channel went inactive: the flow is gone, the framer stops (its host then passes the event on). */
    public void inactive() {
        stop();
    }

    /** Its host left the pipeline (or the channel was torn down): stops and releases the input. */
    public void removed() {
        stop();
        releaseInput();
    }

    private void stop() {
        if (flag(STOPPED)) {
            return;
        }
        flag(STOPPED, true);
        if (flag(STARTED)) {
            try {
                framer.stop(this);
            } catch (Throwable ignored) {
                // The flow is gone; a framer failing to clean up cannot change that.
            }
        }
        releaseInput();
        if (rare != null) {
            // A shared built-in framer releases these in its stop; a framer that threw there did not.
            rare.releaseHeldParts();
        }
    }

    @Override
    public void makeConnectionReady() {
        if (!flag(READY)) {
            flag(READY, true);
            FramerChain chain = chain();
            if (chain != null) {
                // Without a chain this only framer is settled, or not started: its start counts it ready.
                chain.runtimeReady();
            }
        }
    }

    @Override
    public void makeConnectionClosed() {
        if (flag(FAILED)) {
            return;
        }
        if (!outcomeReported()) {
            failConnection(ErrorReason.ESTABLISHMENT_FAILED, "the framer " + framerName()
                    + " closed the connection before it was ready");
            return;
        }
        host().framerRead(ctx, FramingSignal.CLOSE);
    }

    @Override
    public void prependFramer(Framer below) {
        FramerChain chain = madeChain();
        FramerRuntime added = new FramerRuntime(below, role(), chain);
        chain.insertBelow(this, added);
        // Below this framer's host (the taps handler, or this framer's own FramerHandler).
        ctx.pipeline().addBefore(ctx.name(), chain.nextName(), new FramerHandler(added));
        // Bytes this framer has not consumed belong to the new framer now (STARTTLS-style). They
        // are handed over once the framer's current call returns, so that what the new framer
        // delivers meets this framer in its new mode (e.g. passthrough).
        ArrayDeque<ByteBuf> rest = new ArrayDeque<>(Math.max(2, inputBuffers()));
        ByteBuf unparsed;
        while ((unparsed = pollInput()) != null) {
            rest.add(unparsed);
        }
        flag(PROGRESSED, true);
        boolean ended = flag(INPUT_ENDED);
        Runnable previous = rare().handoff;
        rare().handoff = () -> {
            if (previous != null) {
                previous.run();
            }
            if (chain.started()) {
                added.startFramer();
            }
            for (ByteBuf buffer : rest) {
                added.receive(buffer, RAW);
            }
            if (ended && !added.flag(INPUT_ENDED)) {
                added.flag(INPUT_ENDED, true);
                if (added.flag(STARTED)) {
                    added.process();
                }
            }
        };
        if (depth() == 0) {
            runHandoff();
        }
    }

    @Override
    public void startPassthrough() {
        if (flag(PASSTHROUGH)) {
            return;
        }
        flag(PASSTHROUGH, true);
        flag(PROGRESSED, true);
        ByteBuf buffer;
        while (inputHead != null) {
            Origin origin = headOrigin();
            buffer = pollInput();
            fireRest(buffer, origin);
        }
    }

    @Override
    public String toString() {
        return "FramerRuntime[" + framerName() + "]";
    }
}
