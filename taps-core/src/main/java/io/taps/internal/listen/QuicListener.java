package io.taps.internal.listen;

import io.netty.channel.EventLoopGroup;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A Listener for QUIC (RFC 9622 §7.2, design.md ): a UDP socket per local address with
 * Netty's QUIC server codec (certificate and key from the SecurityParameters' identities, their ALPN
 * list). Every bidirectional stream a client opens is one ConnectionReceived, delivered when its
 * first data or FIN arrives (QUIC opens streams implicitly, RFC 9000 §2.1) and once its framers are
 * ready.
 *
 * <p>newConnectionLimit and the concurrency cap count streams. When the limit is reached, streams
 * that arrive anyway are held by {@link ListenerCore} and delivered when it is raised; the UDP
 * socket keeps reading, because pausing it would stall every stream of every client, including the
 * ones already delivered. Stopping the Listener closes its sockets and so every QUIC connection
 * accepted on them (unlike TCP, whose accepted connections outlive the listening socket).
 */
public final class QuicListener extends ListenerCore {
    private final QuicSockets sockets;

    public QuicListener(TransportProperties properties, ListenerEventHandler handler, Executor eventExecutor,
            EventLoopGroup group, IoTransport transport, SecurityParameters security, List<FramerFactory> framers) {
        super(StackKind.QUIC, properties, handler, eventExecutor);
        this.sockets = new QuicSockets(group, transport, security, properties, eventExecutor, framers, this::offer);
    }

    @Override
    public void bind(List<InetSocketAddress> addresses) {
        sockets.bind(addresses).whenComplete((bound, failure) -> {
            if (failure != null) {
                bindFailed((TransportServicesException) failure);
            } else {
                if (isStopping()) {
                    sockets.close(() -> { });
                }
                bound(bound);
            }
        });
    }

    @Override
    protected void setAccepting(boolean accept) {
        // Deliberately nothing: see the class comment.
    }

    @Override
    protected void closeSockets(Runnable whenClosed) {
        sockets.close(whenClosed);
    }
}
