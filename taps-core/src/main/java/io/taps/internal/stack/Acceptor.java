package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.framer.FramerStack;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a flow a stack accepted into a Connection (RFC 9623 §4.7.1, M-30): new framer instances on
 * it, taps' handler last, and once the stack's handshake and every framer are ready a
 * passive Connection that the Listener delivers as ConnectionReceived. The whole inbound
 * establishment is bounded by the Listener's handshake timeout, so a peer that never finishes
 * cannot hold an accepted channel forever.
 */
public final class Acceptor {
    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);
    /**
     * The handler of a Connection until the application sets its own: one for all of them. An
     * anonymous class made in the observer below would keep that observer, and what it captured,
     * for the Connection's whole life (issue 21 item 4).
     */
    private static final ConnectionEventHandler NO_HANDLER_YET = new ConnectionEventHandler() { };

    private Acceptor() {
    }

    /**
     * The observer of the inbound attempts of one Listener's stack that make their links with
     * {@code links}: it needs nothing of a channel but what it is told, so one serves every channel
     * the stack accepts (an observer per accepted channel was 24 B of every accept, issue 21 figure 12).
     */
    public static Inbound inbound(TapsBinding binding, ProtocolStack stack, Function<Channel, Link> links) {
        return new Inbound(binding, stack, links);
    }

    /** Turns the accepted channels of one Listener's stack into Connections ({@link #inbound}). */
    public static final class Inbound implements ConnectionHandler.AttemptObserver {
        private final TapsBinding binding;
        private final ProtocolStack stack;
        private final Function<Channel, Link> links;

        private Inbound(TapsBinding binding, ProtocolStack stack, Function<Channel, Link> links) {
            this.binding = binding;
            this.stack = stack;
            this.links = links;
        }

        /** Whether this observer makes its links with {@code other}. */
        public boolean links(Function<Channel, Link> other) {
            return links == other;
        }

        /** Attaches {@code channel}, accepted by the stack; call from the channel's initializer. */
        public void attach(Channel channel, CompletionStage<?> handshake) {
            FramerStack framerStack = stack.capabilities().byteStream()
                    ? FramerStack.installHosted(channel.pipeline(), binding.framers(), Role.LISTEN) : null;
            ConnectionHandler handler = new ConnectionHandler(this, handshake != null, framerStack);
            channel.pipeline().addLast("taps", handler);
            if (handshake != null) {
                armExpiry(binding, channel, handler);
                handshake.whenComplete((done, failure) -> TapsAttempt.onLoop(channel,
                        () -> handler.reportHandshake(channel, failure)));
            } else if (framerStack != null) {
                // Framers without a handshake are mostly ready before the accept's read loop ends (they
                // start at channelActive, which Netty fires while it registers the accepted channel),
                // so the expiry is armed only for an attempt still unreported then: a scheduled task,
                // its cancellation and three lambdas were ~150 B of every framed accept, and two
                // operations on the loop's queue of scheduled tasks (issue 21 figure 12).
                channel.eventLoop().execute(() -> {
                    if (!handler.outcomeReported()) {
                        armExpiry(binding, channel, handler);
                    }
                });
            }
        }

        @Override
        public void stackReady(Channel ready, ConnectionHandler readyHandler) {
            TapsConnection connection = new TapsConnection(ready.eventLoop(),
                    binding.environment().eventExecutor(), binding.properties(), Role.LISTEN,
                    NO_HANDLER_YET);
            // Adopt first, then replay what the handler held (held framed Messages need the framed link).
            Link link = links.apply(ready);
            // An opportunistic TLS/TCP Listener's cleartext client runs on TCP (ChannelLink says which).
            connection.establishPassive(link, link instanceof ChannelLink
                    ? ((ChannelLink) link).acceptedStack() : stack.capabilities());
            readyHandler.bind(connection);
            binding.offer(connection);
        }

        @Override
        public void stackFailed(Channel failed, Throwable cause) {
            // A client that fails the handshake never becomes a Connection; the Listener's handler hears of it.
            log.debug("Inbound {} handshake or framer start from {} failed: {}", stack.capabilities().name(),
                    failed.remoteAddress(), cause.toString());
            failed.close();
            binding.rejected((java.net.InetSocketAddress) failed.remoteAddress(), cause);
        }
    }

    /**
     * Bounds the inbound establishment by the Listener's handshake timeout, so a peer that never
     * finishes cannot hold an accepted channel forever.
     */
    private static void armExpiry(TapsBinding binding, Channel channel, ConnectionHandler handler) {
        Duration limit = binding.handshakeTimeout();
        ScheduledFuture<?> expiry = channel.eventLoop().schedule(() -> handler.reportHandshake(channel,
                new TransportServicesException(ErrorReason.TIMEOUT, "inbound connection not ready (handshake"
                        + " and framers) within " + limit.toMillis() + " ms")), limit.toNanos(), TimeUnit.NANOSECONDS);
        ChannelFutureListener cancelExpiry = closed -> expiry.cancel(false);
        channel.closeFuture().addListener(cancelExpiry);
        handler.whenReported(() -> {
            expiry.cancel(false);
            // Not kept by the close future for the Connection's whole life (issue 21 item 4).
            channel.closeFuture().removeListener(cancelExpiry);
        });
    }

    /** The link of a Connection on a channel a plugged-in stack accepted. */
    public static Link pluggedLink(Channel channel, ProtocolStack stack) {
        return new StackChannelLink(channel, stack);
    }
}
