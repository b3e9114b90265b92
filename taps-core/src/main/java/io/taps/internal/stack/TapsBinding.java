package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackBinding;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * taps' side of one stack's share of a Listener (RFC 9622 §7.2), as the built-in stacks see it:
 * besides the SPI, the ways to hand over a Connection that is not one channel (a remote's share of
 * a UDP socket, a QUIC stream) and the link a built-in Connection runs on.
 */
public interface TapsBinding extends StackBinding, EnvironmentContext {

    /** The internal view of a binding given to a built-in stack. */
    static TapsBinding of(StackBinding binding) {
        return (TapsBinding) binding;
    }

    /** The Listener's Message Framers, first nearest the application. */
    List<FramerFactory> framers();

    /** The Transport Properties every accepted Connection starts with. */
    TransportProperties properties();

    /** A new established Connection for the Listener: delivered now, or held while the limit is 0. */
    void offer(TapsConnection connection);

    /**
     * A limit of the Listener stopped new Connections (the cap on a UDP socket's remotes): the
     * Listener tells its handler ({@link io.taps.ListenerEventHandler#limitReached}).
     */
    void limitReached(io.taps.TransportServicesException notice);

    /** An accepted flow failed its handshake (or framer start) and was closed: the Listener tells its handler. */
    void rejected(java.net.InetSocketAddress remote, Throwable cause);

    /** Whether the Listener is stopping (no new Connections). */
    boolean isStopping();

    /** Like {@link #attach(Channel, CompletionStage)}, with the link a built-in stack's Connection runs on. */
    void attach(Channel channel, CompletionStage<?> handshake, Function<Channel, Link> links);
}
