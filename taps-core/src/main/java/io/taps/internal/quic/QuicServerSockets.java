package io.taps.internal.quic;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.taps.properties.Direction;
import io.taps.ConnectionEventHandler;
import io.taps.framer.FramerFactory;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.security.QuicSslContexts;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.ListenerEarlyData;
import io.taps.internal.stack.StackKind;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUIC server codec of a Listener's UDP sockets (RFC 9622 §7.2, design.md Q-15): every
 * bidirectional stream a client opens becomes one accepted Connection of the client's
 * {@link QuicSession}, handed to {@code accepted} once its framers are ready.
 *
 * <p>No Retry tokens are used (Netty's default token handler): address validation would cost every
 * handshake a round trip, and amplification is bounded by QUIC's 3× limit (RFC 9000 §8.1).
 */
public final class QuicServerSockets {
    private static final Logger log = LoggerFactory.getLogger(QuicServerSockets.class);

    private QuicServerSockets() {
    }

    /**
     * The handler of a Listener's UDP sockets: a new server codec for one socket (the Listener
     * builds one per socket), then the error sink.
     */
    public static ChannelHandler codec(SecurityParameters security, TransportProperties properties,
            Executor eventExecutor, List<FramerFactory> framers, Consumer<TapsConnection> accepted) {
        return codec(security, properties, eventExecutor, framers, accepted, java.util.concurrent.ConcurrentHashMap
                .newKeySet());
    }

    /**
     * Like {@link #codec(SecurityParameters, TransportProperties, Executor, List, Consumer)}; every
     * QUIC connection of the socket is in {@code live} while it is open, so that the Listener can
     * close them (CONNECTION_CLOSE to each client, RFC 9000 §10.2) before it closes the socket.
     */
    public static ChannelHandler codec(SecurityParameters security, TransportProperties properties,
            Executor eventExecutor, List<FramerFactory> framers, Consumer<TapsConnection> accepted,
            java.util.Set<QuicChannel> live) {
        QuicSslContext sslContext = QuicSslContexts.forServer(security, ListenerEarlyData.accepted(properties));
        return codec(() -> sslContext, properties, eventExecutor, framers, accepted, live, (remote, reason) -> { });
    }

    /**
     * Like {@link #codec(SecurityParameters, TransportProperties, Executor, List, Consumer, java.util.Set)},
     * with the TLS context read from {@code sslContext} for every new QUIC connection (the codec asks
     * for one TLS engine per connection), so that a Listener's updateSecurity reaches the
     * connections accepted after it while those before keep their handshake. A client whose handshake
     * the TLS stack refuses goes to {@code rejected} ({@link InboundHandshakes}).
     */
    static ChannelHandler codec(Supplier<QuicSslContext> sslContext, TransportProperties properties,
            Executor eventExecutor, List<FramerFactory> framers, Consumer<TapsConnection> accepted,
            java.util.Set<QuicChannel> live, BiConsumer<InetSocketAddress, Throwable> rejected) {
        QuicServerCodecBuilder builder = QuicTransportSettings.apply(new QuicServerCodecBuilder(), properties)
                .sslEngineProvider(quic -> sslContext.get().newEngine(quic.alloc()))
                .handler(new InboundHandshakes(live, rejected, quic -> QuicDatagrams.install(quic,
                        QuicDatagrams.acceptedBy(properties)
                                ? datagrams -> acceptDatagrams(datagrams, session(quic, eventExecutor, properties,
                                        framers), eventExecutor, properties, accepted)
                                : null)))
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        QuicChannel quic = stream.parent();
                        QuicSession session = session(quic, eventExecutor, properties, framers);
                        // A stream the peer opened for sending only is a receive-only Connection (RFC 9622 §6.2.16).
                        TransportProperties streamProperties = stream.type() == QuicStreamType.UNIDIRECTIONAL
                                ? properties.toBuilder().direction(Direction.UNIDIRECTIONAL_RECEIVE).build()
                                : properties;
                        session.installStream(stream, new ConnectionHandler.AttemptObserver() {
                            @Override
                            public void stackReady(Channel ready, ConnectionHandler handler) {
                                TapsConnection connection = new TapsConnection(stream.eventLoop(), eventExecutor,
                                        streamProperties, Role.LISTEN, new ConnectionEventHandler() { });
                                // Every stream of one QUIC connection is in one group;
                                // groupConnLimit bounds the streams a peer may open in it.
                                TransportServicesException refused = session.joinSessionGroup(connection);
                                if (refused != null) {
                                    log.debug("Inbound QUIC stream from {} refused: {}", session.remoteAddress(),
                                            refused.getMessage());
                                    stream.shutdownOutput();
                                    stream.close();
                                    return;
                                }
                                connection.establishPassive(session.adopt(stream), StackKind.QUIC.capabilities());
                                handler.bind(connection);
                                accepted.accept(connection);
                            }

                            @Override
                            public void stackFailed(Channel failed, Throwable cause) {
                                log.debug("Inbound QUIC stream from {} failed before it was ready: {}",
                                        session.remoteAddress(), cause.toString());
                                failed.close();
                            }
                        });
                    }
                });
        return withErrorSink(builder.build());
    }

    /** The session of an accepted QUIC connection, created by its first stream or DATAGRAM frame. */
    private static QuicSession session(QuicChannel quic, Executor eventExecutor, TransportProperties properties,
            List<FramerFactory> framers) {
        QuicSession existing = QuicSession.of(quic);
        return existing != null ? existing
                : new QuicSession(quic, null, eventExecutor, properties, Role.LISTEN, framers, connection -> { });
    }

    /**
     * The first DATAGRAM frame of a QUIC connection with no datagram Connection: raises
     * ConnectionReceived for one (RFC 9221, {@link QuicDatagrams}) in the connection's group, unless
     * groupConnLimit refuses it (the frame is then dropped). Returns whether it did.
     */
    private static boolean acceptDatagrams(QuicDatagrams datagrams, QuicSession session, Executor eventExecutor,
            TransportProperties properties, Consumer<TapsConnection> accepted) {
        QuicChannel quic = datagrams.channel();
        TapsConnection connection = new TapsConnection(quic.eventLoop(), eventExecutor, properties, Role.LISTEN,
                new ConnectionEventHandler() { });
        TransportServicesException refused = session.joinSessionGroup(connection);
        if (refused != null) {
            log.debug("QUIC datagram Connection from {} refused: {}", session.remoteAddress(), refused.getMessage());
            return false;
        }
        ConnectionHandler handler = QuicDatagrams.newReceiver();
        connection.establishPassive(session.adoptDatagrams(handler), StackKind.QUIC.capabilities());
        handler.bind(connection);
        accepted.accept(connection);
        return true;
    }

    /** The codec followed by {@link SocketErrorSink}, for a UDP socket's pipeline. */
    static ChannelHandler withErrorSink(ChannelHandler codec) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel socket) {
                socket.pipeline().addLast("quic", codec).addLast("errors", SocketErrorSink.INSTANCE);
            }
        };
    }
}
