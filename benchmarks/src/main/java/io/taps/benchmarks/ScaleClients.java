package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The client side of {@link Scale}: starts the server process ({@link ScaleServer}), opens N raw
 * Netty TCP connections to it (at most {@link #CONNECTS_IN_FLIGHT} connecting at a time, spread over
 * {@link #LOCAL_ADDRESSES} loopback source addresses so that 50,000 of them do not run out of
 * ephemeral ports: each source address has its own), waits until the server has accepted all of
 * them, and then runs sweeps: one 64 B request on every connection, done when all N echoes are back.
 * The connections close with RST (SO_LINGER 0), so no TIME_WAIT holds their ports afterwards.
 */
public abstract class ScaleClients {
    /** How many connects may be outstanding at once: below the listen backlog, so no SYN is dropped and retried. */
    static final int CONNECTS_IN_FLIGHT = 256;
    /** Source addresses 127.0.0.10 .. 127.0.0.13: each has its own ~28,000 ephemeral ports. */
    static final int LOCAL_ADDRESSES = 4;

    /** The server's figures after the last iteration in this JVM, for {@link ScaleProfiler}. */
    private static volatile ServerStats lastStats;

    private Process server;
    private PrintStream commands;
    private BufferedReader answers;
    private long baselineHeap;
    /** The server's allocation counter ({@link ScaleServer#allocatedBytes}) at the last STATS. */
    private long allocatedAtLastStats;
    /** Echoes received since the last STATS. */
    private long echoesSinceStats;
    private EventLoopGroup group;
    private Channel[] channels;
    private byte[] request;
    private final Semaphore sweepDone = new Semaphore(0);
    /** Echoes still due in the running sweep; touched on the client event loop only. */
    private int outstanding;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Which server process to start: taps, netty or reactor. */
    protected abstract String serverKind();

    /** N. */
    protected abstract int connections();

    /**
     * The server's figures measured after the last iteration, then forgotten; null when none was
     * taken. (JMH calls profilers after the trial's teardown, so the state measures, the profiler reads.)
     */
    static ServerStats takeLastStats() {
        ServerStats stats = lastStats;
        lastStats = null;
        return stats;
    }

    /**
     * Heap per connection and RSS of the server process, as {@link ScaleServer} measures them, and
     * the heap bytes the server allocated per echo since the previous measurement (NaN when the JVM
     * does not count them or no echo came in between).
     */
    record ServerStats(long connections, double heapPerConnection, long rssKib, double allocationPerEcho) {
    }

    @Setup(Level.Trial)
    public void setup() throws IOException, InterruptedException {
        int n = connections();
        long descriptors = maxFileDescriptors();
        if (descriptors < n + 512L) {
            throw new IllegalStateException(n + " connections need " + (n + 512) + " file descriptors in each JVM;"
                    + " the limit is " + descriptors + " (raise ulimit -n; benchmarks/run.sh does as far as the hard"
                    + " limit allows)");
        }
        startServer();
        try {
            baselineHeap = stats()[1];
            InetSocketAddress address = new InetSocketAddress(NettyFixture.HOST, port);
            request = NettyFixture.pattern(NettyFixture.PAYLOAD);
            group = NettyFixture.group(1);
            channels = connectAll(address, n);
            awaitAccepted(n);
            // From here on the server only echoes: what it allocates is the echoes' (accepting is not counted).
            allocatedAtLastStats = stats()[3];
        } catch (IOException | InterruptedException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    private int port;

    private void startServer() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same collector for all three servers; a heap big enough for 50,000 taps Connections.
        command.add("-Xmx2g");
        command.add("-XX:+UseParallelGC");
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("--enable-native-access") || argument.startsWith("--sun-misc-unsafe")
                    || argument.startsWith("-Dtaps.")) {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ScaleServer.class.getName());
        command.add(serverKind());
        server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new PrintStream(server.getOutputStream(), true, StandardCharsets.UTF_8);
        answers = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String ready = answers.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            throw new IllegalStateException("the " + serverKind() + " scale server did not start: " + ready);
        }
        port = Integer.parseInt(ready.substring(6).trim());
    }

    private static long maxFileDescriptors() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean
                ? ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount() : Long.MAX_VALUE;
    }

    private Channel[] connectAll(InetSocketAddress address, int n) throws InterruptedException {
        Bootstrap bootstrap = NettyFixture.tcpClient(group, ch -> {
            NettyFixture.addLengthPrefixCodec(ch.pipeline());
            ch.pipeline().addLast(new Responses());
        }).option(ChannelOption.SO_LINGER, 0);
        Channel[] opened = new Channel[n];
        Semaphore slots = new Semaphore(CONNECTS_IN_FLIGHT);
        for (int i = 0; i < n; i++) {
            if (!slots.tryAcquire(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connects stalled after " + i + " of " + n, failure.get());
            }
            checkFailure();
            int index = i;
            InetSocketAddress local = new InetSocketAddress("127.0.0." + (10 + i % LOCAL_ADDRESSES), 0);
            bootstrap.connect(address, local).addListener(future -> {
                if (future.isSuccess()) {
                    opened[index] = ((io.netty.channel.ChannelFuture) future).channel();
                } else {
                    failure.compareAndSet(null, future.cause());
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(CONNECTS_IN_FLIGHT, TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last connects did not finish", failure.get());
        }
        checkFailure();
        return opened;
    }

    private void awaitAccepted(int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TapsFixture.TIMEOUT_SECONDS * 3);
        long accepted;
        do {
            commands.println("COUNT");
            accepted = Long.parseLong(answer("COUNT")[0]);
            if (accepted >= n) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("the " + serverKind() + " server accepted " + accepted + " of " + n);
    }

    /** One sweep: a request on every connection, from the client's event loop; returns when every echo is back. */
    public void sweep() throws InterruptedException {
        group.next().execute(() -> {
            outstanding = channels.length;
            for (Channel channel : channels) {
                channel.writeAndFlush(NettyFixture.copy(channel.alloc(), request), channel.voidPromise());
            }
        });
        if (!sweepDone.tryAcquire(sweepTimeoutMillis(), TimeUnit.MILLISECONDS)) {
            long closed = java.util.Arrays.stream(channels).filter(channel -> !channel.isActive()).count();
            throw new IllegalStateException("a sweep over " + channels.length + " connections did not complete in "
                    + sweepTimeoutMillis() + " ms: " + outstanding + " echoes missing, " + closed
                    + " connections closed; the server saw: " + serverEvents(), failure.get());
        }
        checkFailure();
        echoesSinceStats += channels.length;
    }

    /** What the server's handler saw (only the taps server counts its events), for a failed sweep's message. */
    private String serverEvents() {
        if (!serverKind().equals("taps")) {
            return "(not counted by the " + serverKind() + " server)";
        }
        try {
            commands.println("EVENTS");
            return String.join(" ", answer("EVENTS"));
        } catch (IOException | RuntimeException e) {
            return "(no answer: " + e + ")";
        }
    }

    /** How long a sweep may take: generous (2 ms per connection on top of the usual limit), a failure is a lost echo. */
    private long sweepTimeoutMillis() {
        return TapsFixture.TIMEOUT_SECONDS * 1000 + 2L * channels.length;
    }

    /** The server's figures now (after a GC there). */
    public ServerStats serverStats() {
        try {
            long[] stats = stats();
            double perEcho = stats[3] < 0 || allocatedAtLastStats < 0 || echoesSinceStats == 0 ? Double.NaN
                    : (stats[3] - allocatedAtLastStats) / (double) echoesSinceStats;
            allocatedAtLastStats = stats[3];
            echoesSinceStats = 0;
            return new ServerStats(stats[0], (stats[1] - baselineHeap) / (double) channels.length, stats[2], perEcho);
        } catch (IOException e) {
            throw new IllegalStateException("the scale server did not answer", e);
        }
    }

    private long[] stats() throws IOException {
        commands.println("STATS");
        String[] fields = answer("STATS");
        return new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                Long.parseLong(fields[3])};
    }

    private String[] answer(String kind) throws IOException {
        String line = answers.readLine();
        if (line == null || !line.startsWith(kind + " ")) {
            throw new IllegalStateException("the scale server answered " + line + " to " + kind);
        }
        return line.substring(kind.length() + 1).trim().split(" ");
    }

    /** After each iteration's traffic: the server's heap per connection, RSS and allocation per echo. */
    @TearDown(Level.Iteration)
    public void measureServer() {
        lastStats = serverStats();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (group != null) {
                // Closes every client channel (RST: SO_LINGER 0).
                NettyFixture.shutdown(group);
            }
        } finally {
            stopServer();
        }
    }

    private void stopServer() {
        if (server == null) {
            return;
        }
        commands.println("QUIT");
        try {
            if (!server.waitFor(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void checkFailure() {
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException("scale clients failed: " + cause, cause);
        }
    }

    /** Counts the echoes of the running sweep. */
    private final class Responses extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (--outstanding == 0) {
                sweepDone.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure.compareAndSet(null, cause);
            ctx.close();
        }
    }
}
