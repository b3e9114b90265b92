package io.taps.internal.framer;

import io.netty.channel.ChannelPipeline;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerFactory;
import io.taps.properties.Role;
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
 *
 * <p>The usual one framer is its own stack: its handler answers {@link #start} and keeps a
 * {@link FramerChain} only while the outcome is pending (a stack object kept by every Connection
 * was 40 B of it, issue 21 figure 12); several framers share a {@link FramerChain}.
 */
public interface FramerStack {

    /**
     * Adds one handler per framer at the end of {@code pipeline} (call it after the transport's
     * handlers and before {@code taps}); null when there are no framers. Every factory is asked
     * for a framer.
     */
    static FramerStack install(ChannelPipeline pipeline, List<FramerFactory> factories, Role role) {
        if (factories == null || factories.isEmpty()) {
            return null;
        }
        if (factories.size() == 1) {
            FramerHandler only = new FramerHandler(newFramer(factories.get(0)), role, null);
            pipeline.addLast(FramerChain.name(0), only);
            return only;
        }
        FramerChain chain = new FramerChain(factories.size());
        FramerHandler[] handlers = new FramerHandler[factories.size()];
        for (int i = 0; i < handlers.length; i++) {
            handlers[i] = new FramerHandler(newFramer(factories.get(i)), role, chain);
        }
        chain.install(handlers);
        for (int i = handlers.length - 1; i >= 0; i--) {
            pipeline.addLast(FramerChain.name(handlers.length - 1 - i), handlers[i]);
        }
        return chain;
    }

    private static Framer newFramer(FramerFactory factory) {
        Framer framer = factory.newFramer();
        if (framer == null) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the FramerFactory " + factory + " returned no framer");
        }
        return framer;
    }

    /**
     * Starts every framer, nearest the network first, now that the transport is ready; exactly
     * one of the callbacks runs, perhaps before this returns.
     */
    void start(Runnable whenReady, Consumer<TransportServicesException> whenFailed);
}
