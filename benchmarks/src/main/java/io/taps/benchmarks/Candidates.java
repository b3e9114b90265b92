package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.taps.Connection;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Figure 13 (issue 21 item 4): establishment time against the number of candidates, 1, 4, 16 and
 * 64 leaves (64 is taps' default {@code maxLeaves}). The candidates are loopback addresses
 * 127.0.0.100, 127.0.0.101, ... on the server's port, where nothing listens, so each refuses at
 * once (RST), and last the raw Netty discard server on 127.0.0.1, which answers: an establishment
 * goes through N-1 refusals before it succeeds, then closes as figure 4 does. This is the cost of
 * racing through many leaves (taps starts the next attempt as soon as one fails, RFC 8305 §5),
 * not of waiting out attempt delays.
 *
 * <p>taps: one Preconnection with the N Remote Endpoints in that order and its performance cache
 * off ({@code performanceCacheSize(0)}): with the cache on, taps would learn after the first
 * establishment that the refused addresses fail and try the good one first, which is the point of
 * the cache but would hide the racing cost measured here. Raw Netty: what a raw Netty user writes,
 * connect to each address in turn until one succeeds. Reactor Netty: a {@code TcpClient} whose
 * resolver answers the N addresses; Reactor Netty tries them in order until one connects.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Candidates {
    /** The first refusing candidate address; the others follow it. */
    static final int FIRST_REFUSING_OCTET = 100;

    /** The server and the candidate list, shared by the three clients. */
    public abstract static class Fixture {
        NettyFixture.Server server;
        List<InetSocketAddress> candidates;

        abstract int leaves();

        void startServer() {
            server = NettyFixture.discardServer(null);
            candidates = new ArrayList<>();
            for (int i = 0; i < leaves() - 1; i++) {
                candidates.add(new InetSocketAddress("127.0.0." + (FIRST_REFUSING_OCTET + i), server.port()));
            }
            candidates.add(server.address());
        }

        void stopServer() {
            if (server != null) {
                server.close();
            }
        }
    }

    /** taps: initiate → Ready (after N-1 refused attempts) → close → Closed. */
    @State(Scope.Benchmark)
    public static class Taps extends Fixture {
        @Param({"1", "4", "16", "64"})
        public String workload;
        TransportServices taps;
        Preconnection preconnection;

        @Override
        int leaves() {
            return Integer.parseInt(workload);
        }

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            taps = TransportServices.builder().eventLoopThreads(1).performanceCacheSize(0).build();
            preconnection = taps.preconnection()
                    .remotes(candidates.stream().map(RemoteEndpoint::of).toList())
                    .properties(TransportProperties.reliableInorderStream())
                    .security(SecurityParameters.disabled()).build();
        }

        /** One establishment and close; returns the Connection's establishment report's attempt count. */
        public int connectAndClose() {
            Connection connection = TapsFixture.open(preconnection, TapsFixture.NO_EVENTS);
            int attempts = connection.establishmentReport().startedAttempts().size();
            TapsFixture.close(connection);
            return attempts;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                taps.close();
            } finally {
                stopServer();
            }
        }
    }

    /** Raw Netty: connect to each candidate in turn until one succeeds, then close as figure 4. */
    @State(Scope.Benchmark)
    public static class Netty extends Fixture {
        @Param({"1", "4", "16", "64"})
        public String workload;
        EventLoopGroup group;
        Bootstrap bootstrap;

        @Override
        int leaves() {
            return Integer.parseInt(workload);
        }

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            group = NettyFixture.group(1);
            bootstrap = NettyFixture.tcpClient(group, ch -> { });
        }

        /** One establishment and close; returns how many connects it made. */
        public int connectAndClose() {
            int attempts = 0;
            for (InetSocketAddress candidate : candidates) {
                attempts++;
                ChannelFuture connect = bootstrap.connect(candidate).awaitUninterruptibly();
                if (connect.isSuccess()) {
                    Channel channel = connect.channel();
                    ((DuplexChannel) channel).shutdownOutput();
                    if (!channel.closeFuture().awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS * 1000)) {
                        channel.close();
                        throw new IllegalStateException("the server did not close within " + TapsFixture.TIMEOUT_SECONDS + " s");
                    }
                    return attempts;
                }
            }
            throw new IllegalStateException("no candidate answered");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                NettyFixture.shutdown(group);
            } finally {
                stopServer();
            }
        }
    }

    /** Reactor Netty: a TcpClient to a name its resolver maps to the N candidates, tried in order. */
    @State(Scope.Benchmark)
    public static class Reactor extends Fixture {
        @Param({"1", "4", "16", "64"})
        public String workload;
        reactor.netty.resources.LoopResources loops;
        reactor.netty.tcp.TcpClient client;

        @Override
        int leaves() {
            return Integer.parseInt(workload);
        }

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            loops = ReactorFixture.loops();
            client = reactor.netty.tcp.TcpClient.newConnection().runOn(loops, NettyFixture.EPOLL)
                    .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                    .remoteAddress(() -> InetSocketAddress.createUnresolved("candidates.bench", server.port()))
                    .resolver(new FixedResolver(candidates));
        }

        /** One establishment and close; returns the remote address that answered. */
        public InetSocketAddress connectAndClose() {
            reactor.netty.Connection connection = client.connectNow(Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
            InetSocketAddress remote = (InetSocketAddress) connection.channel().remoteAddress();
            ReactorFixture.closeGracefully(connection);
            return remote;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReactorFixture.dispose(loops);
            } finally {
                stopServer();
            }
        }
    }

    /** Resolves every name to the same fixed list of addresses, as a hosts file with N lines for one name would. */
    static final class FixedResolver extends AddressResolverGroup<InetSocketAddress> {
        private final List<InetSocketAddress> addresses;

        FixedResolver(List<InetSocketAddress> addresses) {
            this.addresses = List.copyOf(addresses);
        }

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new AbstractAddressResolver<InetSocketAddress>(executor, InetSocketAddress.class) {
                @Override
                protected boolean doIsResolved(InetSocketAddress address) {
                    return !address.isUnresolved();
                }

                @Override
                protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                    promise.setSuccess(addresses.get(0));
                }

                @Override
                protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                    promise.setSuccess(addresses);
                }
            };
        }
    }

    @Benchmark
    public int taps(Taps state) {
        return state.connectAndClose();
    }

    @Benchmark
    public int netty(Netty state) {
        return state.connectAndClose();
    }

    @Benchmark
    public SocketAddress reactor(Reactor state) {
        return state.connectAndClose();
    }
}
