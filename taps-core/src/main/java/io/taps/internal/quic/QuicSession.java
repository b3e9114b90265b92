package io.taps.internal.quic;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.AttributeKey;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One QUIC connection (RFC 9000) and the taps Connections that are its streams (design.md Q-15,
 * Q-16; draft-taps-quic-mapping): every bidirectional stream is one io.taps Connection with its own
 * {@link QuicStreamLink}, and all of them form one Connection Group.
 *
 * <p>{@link #openStream(ConnectionEventHandler)} is the clone operation of a QUIC Connection
 * (RFC 9622 §7.4): it opens another stream on the same QUIC connection, without a new handshake,
 * and returns the new Connection at once; it becomes Ready as soon as the stream exists,
 * which is immediately unless framers must first become ready.
 *
 * <p>Lifetime: on the client side the session owns its UDP socket and closes the QUIC connection
 * (and then the socket) when its last stream Connection is closed; the QUIC idle timeout also ends
 * it, which ends every stream. On the server side the QUIC connection stays up until the client
 * closes it or it idles out, so that the client can keep opening streams. Aborting a stream resets
 * only that stream.
 *
 * <p>Stream counts are touched only on the QUIC channel's event loop.
 */
public final class QuicSession {
    private static final AttributeKey<QuicSession> SESSION = AttributeKey.valueOf(QuicSession.class, "session");

    private final QuicChannel channel;
    private final Channel ownedSocket;
    private final Executor eventExecutor;
    private final TransportProperties properties;
    private final Role role;
    private final List<FramerFactory> framers;
    private final Consumer<TapsConnection> tracker;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private static final long RTT_REFRESH_NANOS = 1_000_000_000L;
    private final QuicLiveness liveness;
    /** One TLS 1.3 handshake for every stream of the connection; taken once it has completed. */
    private volatile io.taps.security.SecurityOutcome securityOutcome;
    private int openStreams;
    private volatile boolean closing;
    private volatile Duration lastRtt;
    private volatile long lastRttRequested = System.nanoTime() - RTT_REFRESH_NANOS - 1;
    /** The group of this connection's streams; touched on the QUIC channel's event loop only. */
    private io.taps.internal.group.TapsConnectionGroup group;

    QuicSession(QuicChannel channel, Channel ownedSocket, Executor eventExecutor, TransportProperties properties,
            Role role, List<FramerFactory> framers, Consumer<TapsConnection> tracker) {
        this.channel = channel;
        this.ownedSocket = ownedSocket;
        this.eventExecutor = eventExecutor;
        this.properties = properties;
        this.role = role;
        this.framers = List.copyOf(framers);
        this.tracker = tracker;
        this.local = (InetSocketAddress) channel.localSocketAddress();
        this.remote = (InetSocketAddress) channel.remoteSocketAddress();
        channel.attr(SESSION).set(this);
        this.liveness = new QuicLiveness(channel, properties);
        channel.pipeline().addLast("quic-peer-close", PeerConnectionClose.INSTANCE);
        channel.closeFuture().addListener(closed -> {
            if (ownedSocket != null) {
                ownedSocket.close();
            }
        });
    }

    /** The session of a QUIC channel, if taps created one for it. */
    static QuicSession of(QuicChannel channel) {
        return channel.attr(SESSION).get();
    }

    /**
     * The QUIC session behind {@code connection}, when it is a stream of a QUIC connection: the entry
     * point for Connection.clone() on QUIC.
     */
    public static Optional<QuicSession> of(Connection connection) {
        if (connection instanceof TapsConnection) {
            Link link = ((TapsConnection) connection).link();
            if (link instanceof QuicStreamLink) {
                return Optional.of(((QuicStreamLink) link).session());
            }
        }
        return Optional.empty();
    }

    /** The QUIC connection. */
    public QuicChannel channel() {
        return channel;
    }

    /** Keep-alive probes and the connTimeout watchdog of this QUIC connection. */
    QuicLiveness liveness() {
        return liveness;
    }

    /** How many stream Connections of this session are open (event loop only, or for tests). */
    public int openStreams() {
        return openStreams;
    }

    /**
     * Opens another bidirectional stream on this QUIC connection and returns its Connection at once
     * (RFC 9622 §7.4 Clone, design.md ). The Connection raises Ready when the stream exists
     * and its framers (new instances of the Preconnection's) are ready, or EstablishmentError when
     * the QUIC connection is gone or the peer allows no more streams. Properties are the session's
     * (the Preconnection's Transport Properties); {@code handler} receives the new Connection's events.
     * The peer sees the stream, and raises ConnectionReceived, when the first data or FIN arrives on
     * it (RFC 9000 §2.1: streams are opened implicitly).
     */
    public TapsConnection openStream(ConnectionEventHandler handler) {
        TapsConnection connection = new TapsConnection(channel.eventLoop(), eventExecutor, properties, role, handler);
        tracker.accept(connection);
        channel.eventLoop().execute(() -> openStreamFor(connection, framers, connection::failEstablishment));
        return connection;
    }

    /**
     * Opens a new bidirectional stream for {@code connection} (Establishing, not yet counted by this
     * session), with new instances of {@code streamFramers}, and establishes it there once the stream
     * and its framers are ready; {@code failed} gets the error otherwise. Runs on this QUIC
     * connection's event loop. Clone on QUIC ({@link QuicCloneSupport}) and {@link #openStream} use it.
     */
    void openStreamFor(TapsConnection connection, List<FramerFactory> streamFramers,
            Consumer<TransportServicesException> failed) {
        if (!channel.isActive() || closing) {
            failed.accept(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "the QUIC connection to " + remote + " is closed; no new stream can be opened"));
            return;
        }
        channel.createStream(streamType(properties), new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                installStream(stream, streamFramers, new ConnectionHandler.AttemptObserver() {
                    @Override
                    public void stackReady(Channel ready, ConnectionHandler streamHandler) {
                        if (connection.state() != io.taps.properties.ConnectionState.ESTABLISHING) {
                            // Closed or aborted by the application while the stream was opening.
                            stream.close();
                            return;
                        }
                        TransportServicesException refused = joinSessionGroup(connection);
                        if (refused != null) {
                            failed.accept(refused);
                            stream.close();
                            return;
                        }
                        connection.establish(adopt(stream), StackKind.QUIC.capabilities());
                        streamHandler.bind(connection);
                    }

                    @Override
                    public void stackFailed(Channel failedStream, Throwable cause) {
                        failed.accept(failure("opening a stream failed", cause));
                        failedStream.close();
                    }
                });
            }
        }).addListener(created -> {
            if (!created.isSuccess()) {
                failed.accept(failure("the peer allows no new stream", created.cause()));
            }
        });
    }

    /**
     * The connection's smoothed RTT estimate on its first path (RFC 9002 §5.3), from quiche's path
     * statistics; empty when the connection is gone.
     */
    public CompletionStage<Optional<Duration>> collectSmoothedRtt() {
        CompletableFuture<Optional<Duration>> result = new CompletableFuture<>();
        if (!channel.isActive()) {
            result.complete(Optional.empty());
            return result;
        }
        channel.collectPathStats(0).addListener(done -> {
            if (done.isSuccess()) {
                long nanos = ((QuicConnectionPathStats) done.getNow()).rtt();
                Duration rtt = Duration.ofNanos(nanos);
                lastRtt = rtt;
                result.complete(Optional.of(rtt));
            } else {
                result.complete(Optional.empty());
            }
        });
        return result;
    }

    /**
     * The last RTT {@link #collectSmoothedRtt()} read, without waiting (the statistics are read on
     * the event loop); asks for a fresh reading when the last is older than a second. Empty until
     * the first reading; the last value once the connection is gone.
     */
    public Optional<Duration> smoothedRtt() {
        long now = System.nanoTime();
        if (channel.isActive() && now - lastRttRequested > RTT_REFRESH_NANOS) {
            lastRttRequested = now;
            channel.eventLoop().execute(this::collectSmoothedRtt);
        }
        return Optional.ofNullable(lastRtt);
    }

    /**
     * The group every stream Connection of this QUIC connection belongs to (RFC 9622 §7.4: a QUIC
     * connection is one Connection Group, design.md Q-16): the first stream's group; later streams,
     * opened by either side, join it. Returns the refusal when the group is full ({@code groupConnLimit}).
     */
    TransportServicesException joinSessionGroup(TapsConnection member) {
        if (group == null) {
            group = member.connectionGroup();
            group.markSharedTransport();
            return null;
        }
        return member.connectionGroup() == group ? null : member.joinGroup(group);
    }

    /** Closes the QUIC connection (all its streams end) and, on the client, its socket. */
    public void close() {
        closing = true;
        channel.close();
    }

    InetSocketAddress localAddress() {
        return local;
    }

    InetSocketAddress remoteAddress() {
        return remote;
    }

    Optional<io.taps.security.SecurityOutcome> securityOutcome() {
        io.taps.security.SecurityOutcome known = securityOutcome;
        if (known == null && channel.sslEngine() != null) {
            javax.net.ssl.SSLSession tls = channel.sslEngine().getSession();
            // Before the handshake completed (0-RTT streams) the session has no cipher suite yet.
            if (tls != null && tls.getCipherSuite() != null && !tls.getCipherSuite().startsWith("SSL_NULL")) {
                known = io.taps.internal.security.SecurityOutcomes.of(channel.sslEngine(), Long.MIN_VALUE);
                securityOutcome = known;
            }
        }
        return Optional.ofNullable(known);
    }

    Optional<String> applicationProtocol() {
        String alpn = channel.sslEngine() == null ? null : channel.sslEngine().getApplicationProtocol();
        return alpn == null || alpn.isEmpty() ? Optional.empty() : Optional.of(alpn);
    }

    /**
     * Prepares a new stream channel for taps: half-closure (a FIN is the end of the peer's data, not
     * of the Connection), new framer instances, and a {@link ConnectionHandler} reporting to
     * {@code observer} once the stream and its framers are ready.
     */
    ConnectionHandler installStream(QuicStreamChannel stream, ConnectionHandler.AttemptObserver observer) {
        return installStream(stream, framers, observer);
    }

    /** Like {@link #installStream(QuicStreamChannel, ConnectionHandler.AttemptObserver)} with the framers given. */
    ConnectionHandler installStream(QuicStreamChannel stream, List<FramerFactory> streamFramers,
            ConnectionHandler.AttemptObserver observer) {
        if (stream.type() == QuicStreamType.BIDIRECTIONAL) {
            stream.config().setAllowHalfClosure(true); // a unidirectional stream has one direction to end
        } else if (!stream.isLocalCreated()) {
            stream.pipeline().addLast("quic-uni-end", new UnidirectionalStreamEnd());
        }
        stream.config().setWriteBufferWaterMark(StackConnector.WATER_MARK);
        stream.pipeline().addLast("quic-reset", StreamResetCloser.INSTANCE);
        FramerStack framerStack = FramerStack.install(stream.pipeline(), streamFramers, role);
        ConnectionHandler handler = new ConnectionHandler(observer, false, framerStack);
        stream.pipeline().addLast("taps", handler);
        return handler;
    }

    /**
     * The stream type a Connection with {@code properties} opens (RFC 9622 §6.2.16 direction):
     * unidirectional for a send-only Connection (RFC 9000 §2.1), else bidirectional.
     */
    static QuicStreamType streamType(TransportProperties properties) {
        return properties.get(io.taps.properties.Property.DIRECTION) == io.taps.properties.Direction.UNIDIRECTIONAL_SEND
                ? QuicStreamType.UNIDIRECTIONAL : QuicStreamType.BIDIRECTIONAL;
    }

    /** The DATAGRAM frames (RFC 9221) of this QUIC connection. */
    QuicDatagrams datagrams() {
        return QuicDatagrams.of(channel);
    }

    /**
     * Counts the datagram Connection ({@link QuicDatagrams}) as one of this session's Connections,
     * routes DATAGRAM frames to {@code handler} and returns its link.
     */
    QuicDatagramLink adoptDatagrams(ConnectionHandler handler) {
        openStreams++;
        QuicDatagrams datagrams = datagrams();
        datagrams.receiveWith(handler);
        return new QuicDatagramLink(this, datagrams, handler);
    }

    private final java.util.Set<QuicStreamChannel> sendOnlyOpen = new java.util.HashSet<>();

    private static boolean sendOnly(QuicStreamChannel stream) {
        return stream.type() == QuicStreamType.UNIDIRECTIONAL && stream.isLocalCreated();
    }

    /** The Connection of a send-only stream was closed or aborted (or its QUIC connection is gone). */
    void sendOnlyConnectionEnded(QuicStreamChannel stream) {
        if (!sendOnly(stream)) {
            return;
        }
        if (channel.eventLoop().inEventLoop()) {
            if (sendOnlyOpen.remove(stream)) {
                streamClosed();
            }
        } else {
            channel.eventLoop().execute(() -> sendOnlyConnectionEnded(stream));
        }
    }

    /** The datagram Connection was closed: like a stream's end for the session's lifetime. */
    void datagramConnectionClosed() {
        streamClosed();
    }

    /** Counts {@code stream} as one of this session's Connections and returns its link. */
    QuicStreamLink adopt(QuicStreamChannel stream) {
        return adopt(stream, false);
    }

    /** Like {@link #adopt(QuicStreamChannel)}, for a stream whose first message went out as 0-RTT data or not. */
    QuicStreamLink adopt(QuicStreamChannel stream, boolean carriedEarlyData) {
        openStreams++;
        if (sendOnly(stream)) {
            // quiche frees a send-only stream as soon as its FIN is acknowledged, long before the
            // application closes its Connection: the Connection's end is what counts (sendOnlyConnectionEnded).
            sendOnlyOpen.add(stream);
            stream.closeFuture().addListener(closed -> {
                if (!channel.isActive()) {
                    sendOnlyConnectionEnded(stream);
                }
            });
        } else {
            stream.closeFuture().addListener(closed -> streamClosed());
        }
        return new QuicStreamLink(stream, this, carriedEarlyData);
    }

    private void streamClosed() {
        openStreams--;
        if (openStreams == 0 && ownedSocket != null && !closing) {
            // The client's last stream Connection is gone: nothing can use the QUIC connection any more.
            close();
        }
    }

    private TransportServicesException failure(String what, Throwable cause) {
        return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                "QUIC to " + remote + ": " + what + ": " + cause, cause);
    }
}
