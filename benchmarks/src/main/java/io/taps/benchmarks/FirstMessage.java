package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
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
 * Figure 10 (issue 17): TCP connect + first message, the time from asking for a connection with its
 * first 64 B Message until the first byte of the server's echo arrives, then an abort (RST, so no
 * TIME_WAIT piles up). {@code workload} TCP is a plain handshake (the Message follows it); TFO is
 * TCP Fast Open (RFC 7413), where the Message rides in the SYN once the client kernel holds the
 * server's cookie (every operation after the first), saving one round trip.
 *
 * <p>TFO needs {@code net.ipv4.tcp_fastopen=3} before the JVM starts (Netty reads it once):
 * run.sh runs this class alone inside a throw-away network namespace ({@code unshare -n}) with the
 * sysctl set, never on the host's. Outside one the TFO workload refuses to run rather than
 * measuring a plain handshake under the TFO name.
 *
 * <p>Why this figure reads bimodal (~135 or ~195 µs, for either library; session 16): pinned to one
 * CPU, the benchmark thread and the two event loops keep that CPU busy with no idle time, so the
 * average time of an operation is the CPU the three threads spend on it. Kernel scheduler traces
 * ({@code perf record -e sched:sched_switch}) of a fast and a slow run of the same library show the
 * same context switches per operation on every thread, and every run segment of every thread
 * ~1.5x longer in the slow one; the JIT's compilations and uncommon traps during measurement
 * ({@code -XX:+LogCompilation}) are the same in fast and slow forks; and the level changes within a
 * fork, from one 1-second iteration to the next. So neither client picks the mode: the machine runs
 * the whole operation slower for a while, and CPU per operation ({@code -prof perfnorm}) moves with
 * it. One fork per library cannot be read as a ratio: run several forks of each, back to back, and
 * compare forks that sat at the same level.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class FirstMessage {
    private static final byte[] PAYLOAD = NettyFixture.pattern(NettyFixture.PAYLOAD);

    /** The echo server of both sides: unframed TCP, with Fast Open on its socket for TFO. */
    public abstract static class Fixture {
        EventLoopGroup serverGroup;
        Channel server;

        /** TCP or TFO. */
        abstract String workload();

        boolean fastOpen() {
            return "TFO".equals(workload());
        }

        void startServer() {
            if (fastOpen() && !(NettyFixture.EPOLL && Epoll.isTcpFastOpenClientSideAvailable()
                    && Epoll.isTcpFastOpenServerSideAvailable())) {
                throw new IllegalStateException("the TFO workload needs epoll and net.ipv4.tcp_fastopen=3 set before"
                        + " the JVM starts (benchmarks/run.sh runs it in a network namespace); not measuring plain"
                        + " TCP under its name");
            }
            serverGroup = NettyFixture.group(1);
            ServerBootstrap bootstrap = new ServerBootstrap().group(serverGroup)
                    .channel(NettyFixture.serverSocketChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(NettyFixture.echo());
                        }
                    });
            if (fastOpen()) {
                bootstrap.option(ChannelOption.TCP_FASTOPEN, 256);
            }
            server = bootstrap.bind(NettyFixture.HOST, 0).syncUninterruptibly().channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.localAddress();
        }

        void stopServer() {
            if (server != null) {
                server.close().syncUninterruptibly();
            }
            if (serverGroup != null) {
                NettyFixture.shutdown(serverGroup);
            }
        }
    }

    /** taps: {@code initiateWithSend} (safelyReplayable for TFO, so taps may put it in the SYN) → first bytes → abort. */
    @State(Scope.Benchmark)
    public static class Taps extends Fixture {
        @Param({"TCP", "TFO"})
        public String workload;

        @Override
        String workload() {
            return workload;
        }

        private TransportServices taps;
        private Preconnection preconnection;
        private Message message;

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            taps = TapsFixture.create();
            preconnection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress(NettyFixture.HOST, address().getPort()))
                    .properties(TransportProperties.reliableInorderStream())
                    .security(SecurityParameters.disabled()).build();
            message = fastOpen() ? Message.of(PAYLOAD).withContext(MessageContext.of(
                    MessageProperties.builder().safelyReplayable(true).build())) : Message.of(PAYLOAD);
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

    /** Raw Netty: the Message written before connect (TFO: with TCP_FASTOPEN_CONNECT) → first bytes → RST. */
    @State(Scope.Benchmark)
    public static class Netty extends Fixture {
        @Param({"TCP", "TFO"})
        public String workload;

        @Override
        String workload() {
            return workload;
        }

        private EventLoopGroup group;
        private Bootstrap bootstrap;

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            group = NettyFixture.group(1);
            bootstrap = new Bootstrap().group(group).channel(NettyFixture.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_LINGER, 0)
                    .handler(new FirstRead());
            if (fastOpen()) {
                bootstrap.option(EpollChannelOption.TCP_FASTOPEN_CONNECT, true);
            }
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

    /**
     * Reactor Netty (issue 21's second baseline), plain TCP only: {@code connectNow} → the Message
     * through {@code outbound()} → the first bytes from {@code inbound()} → dispose (RST, as
     * SO_LINGER 0). No TFO: Reactor Netty writes only once the connection is up, so nothing can ride in
     * the SYN (the report prints n/a).
     */
    @State(Scope.Benchmark)
    public static class Reactor extends Fixture {
        @Param({"TCP"})
        public String workload;

        @Override
        String workload() {
            return workload;
        }

        private reactor.netty.resources.LoopResources loops;
        private reactor.netty.tcp.TcpClient client;

        @Setup(Level.Trial)
        public void setup() {
            startServer();
            loops = ReactorFixture.loops();
            client = reactor.netty.tcp.TcpClient.newConnection().runOn(loops, NettyFixture.EPOLL)
                    .remoteAddress(this::address)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_LINGER, 0);
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

    /** Completes the channel's promise with its first read, and drops what it reads. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class FirstRead extends ChannelInboundHandlerAdapter {
        static final io.netty.util.AttributeKey<Promise<Boolean>> FIRST =
                io.netty.util.AttributeKey.valueOf("firstRead");

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.channel().attr(FIRST).get().trySuccess(true);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.channel().attr(FIRST).get().tryFailure(cause);
            ctx.close();
        }
    }

    @Benchmark
    public int taps(Taps state) {
        Connection connection = state.preconnection.initiateWithSend(state.message, TapsFixture.NO_EVENTS);
        int length = TapsFixture.await(connection.receive()).length();
        connection.abort();
        return length;
    }

    @Benchmark
    public int reactor(Reactor state) {
        java.time.Duration timeout = java.time.Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS);
        reactor.netty.Connection connection = state.client.connectNow(timeout);
        try {
            connection.outbound().sendObject(NettyFixture.copy(connection.channel().alloc(), PAYLOAD)).then()
                    .subscribe();
            // Read inside the pipeline: Reactor Netty releases the buffer once onNext returns.
            Integer length = connection.inbound().receive().next().map(ByteBuf::readableBytes).block(timeout);
            if (length == null) {
                throw new IllegalStateException("the connection closed before the echo");
            }
            return length;
        } finally {
            connection.dispose();
        }
    }

    @Benchmark
    public boolean netty(Netty state) {
        Channel channel = state.bootstrap.register().syncUninterruptibly().channel();
        Promise<Boolean> first = channel.eventLoop().newPromise();
        channel.attr(FirstRead.FIRST).set(first);
        ByteBuf data = NettyFixture.copy(channel.alloc(), PAYLOAD);
        // Queued before connect: a Fast Open connect sends the first queued buffer in the SYN.
        channel.write(data);
        channel.connect(state.address()).addListener(done -> channel.flush());
        boolean read = first.awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS * 1000) && first.isSuccess();
        channel.close();
        if (!read) {
            throw new IllegalStateException("no echo within " + TapsFixture.TIMEOUT_SECONDS + " s: " + first.cause());
        }
        return true;
    }
}
