package io.taps.benchmarks;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The taps half of every benchmark: one {@link TransportServices} with one event loop thread (the
 * raw Netty clients get one too) and Preconnections to the raw Netty servers of {@link NettyFixture},
 * built only through taps' public API.
 */
public final class TapsFixture {
    /** A handler for Connections whose events the benchmark does not need. */
    public static final ConnectionEventHandler NO_EVENTS = new ConnectionEventHandler() { };

    /** How long any setup or teardown step may wait before the benchmark fails instead of hanging. */
    public static final long TIMEOUT_SECONDS = 10;

    private TapsFixture() {
    }

    /** A Transport Services system for the client side, on one event loop thread. */
    public static TransportServices create() {
        return TransportServices.builder().eventLoopThreads(1).build();
    }

    /**
     * A Transport Services system like {@link #create()} whose hosts file maps {@code localhost} to
     * both loopback addresses, {@code 127.0.0.1} and {@code ::1}, as the stock Debian and Ubuntu
     * {@code /etc/hosts} do (this machine's lists only 127.0.0.1): resolving
     * {@link NettyFixture#LOOPBACK_NAME} then yields both families from the hosts file, with no DNS
     * query, and taps races them (HEv3: [::1] first, 127.0.0.1 one connection attempt delay later
     * unless [::1] is Ready before).
     */
    public static TransportServices createResolvingLocalhostToBothFamilies() {
        return TransportServices.builder().eventLoopThreads(1).hostsFile(dualStackHostsFile()).build();
    }

    private static java.nio.file.Path dualStackHostsFile() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("taps-bench-hosts", "");
            file.toFile().deleteOnExit();
            java.nio.file.Files.writeString(file, "127.0.0.1 " + NettyFixture.LOOPBACK_NAME + "\n"
                    + NettyFixture.HOST6 + " " + NettyFixture.LOOPBACK_NAME + "\n");
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the benchmark's hosts file", e);
        }
    }

    /**
     * Plain TCP or TLS 1.3 (as {@link #tcp} and {@link #tls}) to {@code server} named
     * {@link NettyFixture#LOOPBACK_NAME}, so that each Initiate resolves the name and races the two
     * loopback families; {@code server} must listen on both ({@link NettyFixture.Server#bothFamilies()}).
     */
    public static Preconnection byName(TransportServices taps, NettyFixture.Server server, boolean tls) {
        if (!server.bothFamilies()) {
            throw new IllegalArgumentException("the server must listen on 127.0.0.1 and [::1]");
        }
        return taps.preconnection().remote(RemoteEndpoint.ofHost(NettyFixture.LOOPBACK_NAME, server.port()))
                .properties(TransportProperties.reliableInorderStream())
                .security(tls ? Tls.tapsClient() : SecurityParameters.disabled()).build();
    }

    /** Plain TCP (reliable, in-order stream, no security) to {@code server}. */
    public static Preconnection tcp(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled()).build();
    }

    /** TLS 1.3 over TCP to {@code server}, verifying its certificate against the benchmark root. */
    public static Preconnection tls(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.reliableInorderStream())
                .security(Tls.tapsClient()).build();
    }

    /** UDP ({@code unreliableDatagram}: messages are safely replayable, as taps requires for UDP) to {@code server}. */
    public static Preconnection udp(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.unreliableDatagram())
                .security(SecurityParameters.disabled()).build();
    }

    /**
     * QUIC (figure 7): one stream of a QUIC connection, TLS 1.3 with the benchmark ALPN; only QUIC
     * offers multistreaming, so requiring it selects QUIC without a race.
     */
    public static Preconnection quic(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.builder()
                        .require(io.taps.properties.Property.MULTISTREAMING).build())
                .security(Tls.tapsClient().toBuilder().alpn(Quic.ALPN).build()).build();
    }

    /** DTLS/UDP (figure 11): unreliable datagrams with security on select DTLS 1.2, verified against the benchmark root. */
    public static Preconnection dtls(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.unreliableDatagram()).security(Dtls.tapsClient()).build();
    }

    /**
     * QUIC datagrams (figure 7d): taps' datagram Connection of a QUIC connection (the
     * unreliable-datagram profile, RFC 9221), kept to QUIC by multistreaming=Require.
     */
    public static Preconnection quicDatagrams(TransportServices taps, NettyFixture.Server server) {
        return to(taps, server).properties(TransportProperties.unreliableDatagram().toBuilder()
                        .require(io.taps.properties.Property.MULTISTREAMING).build())
                .security(Tls.tapsClient().toBuilder().alpn(Quic.ALPN).build()).build();
    }

    private static Preconnection.Builder to(TransportServices taps, NettyFixture.Server server) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress(NettyFixture.HOST, server.port()));
    }

    /** Initiates and waits until the Connection is Ready. */
    public static Connection open(Preconnection preconnection, ConnectionEventHandler handler) {
        Connection connection = preconnection.initiate(handler);
        await(connection.ready());
        return connection;
    }

    /** Closes gracefully and waits for Closed. */
    public static void close(Connection connection) {
        connection.close();
        await(connection.closed());
    }

    /** The stage's result, waiting at most {@link #TIMEOUT_SECONDS}. */
    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("taps operation did not complete: " + e, e);
        }
    }
}
