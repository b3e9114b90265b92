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
 * one {@link FramerRuntime} per framer between the transport ({@code tls}, or the
 * socket) and the {@code taps} handler, each in a {@link FramerHandler} of its own or, the only
 * framer of a TCP or TLS Connection, hosted by the taps handler. The first framer of the Preconnection sits nearest the
 * application (it frames first and parses last), the last one nearest the network.
 *
 * <p>It starts the framers once the transport is ready and reports the outcome once: ready when
 * every framer called makeConnectionReady, failed when one called failConnection (or threw)
 * before that.
 *
 * <p>The usual one framer is its own stack: its runtime answers {@link #start} and keeps a
 * {@link FramerChain} only while the outcome is pending (a stack object kept by every Connection
 * was 40 B of it, issue 21 figure 12); several framers share a {@link FramerChain}.
 */
public interface FramerStack {

    /**
     * Adds one handler per framer at the end of {@code pipeline} (call it after the transport's
     * handlers and before {@code taps}); null when there are no framers. Every factory is asked
     * for a framer. The only framer gets a handler of its own too (a QUIC stream's, whose
     * link writes through its pipeline); see {@link #installHosted} for TCP and TLS.
     */
    static FramerStack install(ChannelPipeline pipeline, List<FramerFactory> factories, Role role) {
        if (factories == null || factories.isEmpty()) {
            return null;
        }
        if (factories.size() == 1) {
            FramerRuntime only = new FramerRuntime(newFramer(factories.get(0)), role, null);
            pipeline.addLast(FramerChain.name(0), new FramerHandler(only));
            return only;
        }
        return installChain(pipeline, factories, role);
    }

    /**
     * Like {@link #install}, except that the only framer gets no handler: the taps handler given
     * this stack hosts its {@link FramerRuntime} and its link frames through it. A handler and its
     * context were 112 B of every framed Connection (issue 21 figure 12). Several framers get a
     * handler each, as with {@link #install}.
     */
    static FramerStack installHosted(ChannelPipeline pipeline, List<FramerFactory> factories, Role role) {
        if (factories != null && factories.size() == 1) {
            return new FramerRuntime(newFramer(factories.get(0)), role, null).hosted();
        }
        return install(pipeline, factories, role);
    }

    private static FramerStack installChain(ChannelPipeline pipeline, List<FramerFactory> factories, Role role) {
        FramerChain chain = new FramerChain(factories.size());
        FramerRuntime[] runtimes = new FramerRuntime[factories.size()];
        for (int i = 0; i < runtimes.length; i++) {
            runtimes[i] = new FramerRuntime(newFramer(factories.get(i)), role, chain);
        }
        chain.install(runtimes);
        for (int i = runtimes.length - 1; i >= 0; i--) {
            pipeline.addLast(FramerChain.name(runtimes.length - 1 - i), new FramerHandler(runtimes[i]));
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
