package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.taps.Preconnection;
import io.taps.TransportServices;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JMH state of the connection-rate benchmarks: one operation establishes a connection (TCP, or
 * TCP plus a full TLS 1.3 handshake), closes it gracefully and waits until the peer's close too.
 * The server is a raw Netty discarding server that closes when the client does.
 *
 * <p>Both sides do the same thing: taps {@code initiate} → Ready → {@code close} → Closed (a TLS
 * close_notify, a FIN, then the peer's FIN); raw Netty {@code connect} (→ handshake) → close_notify
 * → {@code shutdownOutput} → the channel closing on the peer's FIN.
 *
 * <p>What each side connects to (issue 21: taps "with racing on, two families resolved"): the
 * server listens on 127.0.0.1 and [::1] at the same port. taps' Preconnection names
 * {@code localhost}, which its hosts file maps to both ({@link TapsFixture#createResolvingLocalhostToBothFamilies()}),
 * so every Initiate resolves the name (AAAA and A, from the hosts file: no DNS), builds the
 * candidate tree of both addresses and races them: [::1] starts first (RFC 6724 precedence),
 * 127.0.0.1 is scheduled one connection attempt delay later and cancelled when [::1] is Ready first,
 * which on loopback it always is. TLS verifies the name {@code localhost}. Raw Netty and Reactor
 * Netty connect to the one address the race picks, [::1], sending and verifying the name
 * {@code localhost} ({@link NettyFixture.Server#raceWinner()}), as an application that is handed that
 * address does: so the ratio is taps' resolution, racing and Connection against the same kernel work
 * (connecting over IPv6 loopback costs more than over IPv4, for every client alike).
 */
public abstract class ConnectClose {
    private NettyFixture.Server server;

    /** Whether each connection adds a TLS 1.3 handshake. */
    protected abstract boolean tls();

    @Setup(Level.Trial)
    public void setup() {
        boolean tls = tls();
        server = NettyFixture.discardServer(tls ? Tls.serverContext() : null);
        try {
            open(server, tls);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            closeClient();
        } finally {
            server.close();
        }
        if (server.resumedSessions() > 0) {
            throw new IllegalStateException(server.resumedSessions() + " of " + server.handshakes()
                    + " TLS handshakes resumed a session; the figure must count full handshakes only");
        }
    }

    /** TLS handshakes the server completed: every operation must have made one full handshake. */
    public long serverHandshakes() {
        return server.handshakes();
    }

    /** Whether the server's TLS context resumed any session (it must not: every handshake is a full one). */
    public long serverResumptions() {
        return server.resumedSessions();
    }

    /** One connection: establish, close, wait for the peer's close. */
    public abstract void connectAndClose();

    protected abstract void open(NettyFixture.Server server, boolean tls);

    protected abstract void closeClient();

    /** taps: a Preconnection built once, then {@code initiate} → Ready → {@code close} → Closed per operation. */
    public abstract static class Taps extends ConnectClose {
        private TransportServices taps;
        private Preconnection preconnection;

        @Override
        protected void open(NettyFixture.Server server, boolean tls) {
            taps = TapsFixture.createResolvingLocalhostToBothFamilies();
            preconnection = TapsFixture.byName(taps, server, tls);
        }

        @Override
        public void connectAndClose() {
            TapsFixture.close(TapsFixture.open(preconnection, TapsFixture.NO_EVENTS));
        }

        @Override
        protected void closeClient() {
            taps.close();
        }
    }

    /** Raw Netty: a Bootstrap (and SslContext) built once, then connect to [::1] → (handshake) → close per operation. */
    public abstract static class Netty extends ConnectClose {
        private EventLoopGroup group;
        private Bootstrap bootstrap;
        private java.net.InetSocketAddress target;

        @Override
        protected void open(NettyFixture.Server server, boolean tls) {
            target = server.raceWinner();
            group = NettyFixture.group(1);
            SslContext context = tls ? Tls.clientContext() : null;
            bootstrap = NettyFixture.tcpClient(group, ch -> {
                if (context != null) {
                    ch.pipeline().addLast(NettyFixture.clientTls(context, ch, target));
                }
            });
        }

        @Override
        public void connectAndClose() {
            Channel channel = bootstrap.connect(target).syncUninterruptibly().channel();
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl != null) {
                ssl.handshakeFuture().syncUninterruptibly();
                ssl.closeOutbound();
            }
            ((DuplexChannel) channel).shutdownOutput();
            if (!channel.closeFuture().awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS * 1000)) {
                channel.close();
                throw new IllegalStateException("the server did not close within " + TapsFixture.TIMEOUT_SECONDS + " s");
            }
        }

        @Override
        protected void closeClient() {
            NettyFixture.shutdown(group);
        }
    }

    /**
     * Reactor Netty: a {@code TcpClient} (and SslContext) built once, then {@code connectNow} (which
     * returns after the handshake) → close_notify → FIN → the peer's close per operation.
     */
    public abstract static class Reactor extends ConnectClose {
        private reactor.netty.resources.LoopResources loops;
        private reactor.netty.tcp.TcpClient client;

        @Override
        protected void open(NettyFixture.Server target, boolean tls) {
            loops = ReactorFixture.loops();
            client = tls ? ReactorFixture.tls(loops, target.raceWinner()) : ReactorFixture.tcp(loops, target.raceWinner());
        }

        @Override
        public void connectAndClose() {
            ReactorFixture.closeGracefully(ReactorFixture.connect(client));
        }

        @Override
        protected void closeClient() {
            ReactorFixture.dispose(loops);
        }
    }
}
