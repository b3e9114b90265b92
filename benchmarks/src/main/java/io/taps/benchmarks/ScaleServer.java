package io.taps.benchmarks;

import io.netty.channel.ChannelOption;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * The server process of the scale benchmark ({@link Scale}): one echo server of the kind named by
 * its argument, alone in its JVM so that its heap and RSS are its own. The three kinds echo the
 * 4-byte length-prefixed frames of figure 2 on one event loop thread:
 * <ul>
 *   <li>{@code taps}: one taps Listener (TCP, no security, {@code LengthPrefixFramer}); every
 *       ConnectionReceived issues a receive, every Received sends the message back and receives again,
 *       through the event API ({@code sendWithEvents}, {@code receiveBorrowedWithEvents}: RFC 9622
 *       §9.2/§9.3.1 with the outcome as events, pooled), which is what a request/response server
 *       written in an event handler uses, not a completion stage per call that nobody reads. The
 *       Message borrows the receive buffer and is sent back from it, as raw Netty's echo writes the
 *       buffer it read; {@code -Dtaps.scale.receive=owned} makes it {@code receiveWithEvents}, whose
 *       Message is a copy the application owns (the echo of session 22 and before);</li>
 *   <li>{@code netty}: a raw Netty ServerBootstrap with LengthFieldBasedFrameDecoder/Prepender and an echo handler;</li>
 *   <li>{@code reactor}: a Reactor Netty TcpServer with the same codec, {@code out.send(in.receive().retain())}.</li>
 * </ul>
 *
 * <p>Talks to the benchmark over stdin/stdout, one line each: it prints {@code READY <port>} once
 * listening; {@code COUNT} answers {@code COUNT <connections accepted>}; {@code STATS} answers
 * {@code STATS <connections> <heap bytes used after GC> <RSS KiB> <bytes allocated>} (the last: the
 * heap bytes every live thread of the process has allocated so far, read before the collections,
 * so that the benchmark can divide what a run of sweeps allocated by its echoes);
 * {@code EVENTS} answers {@code EVENTS <what the taps echo saw>} (see {@link EchoEvents});
 * {@code QUIT} (or the end of stdin) stops it. Everything else it prints goes to stderr.
 */
public final class ScaleServer {
    private static final AtomicLong CONNECTIONS = new AtomicLong();
    /** Whether the taps echo receives owned copies ({@code -Dtaps.scale.receive=owned}) instead of borrowed Messages. */
    private static final boolean OWNED = "owned".equals(System.getProperty("taps.scale.receive"));

    private ScaleServer() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        AutoCloseable server;
        int port;
        switch (args.length == 1 ? args[0] : "") {
            case "taps": {
                TransportServices taps = TransportServices.builder().eventLoopThreads(1)
                        .pathMonitorInterval(Duration.ZERO).build();
                Listener listener = taps.preconnection()
                        .local(LocalEndpoint.ofAddress(NettyFixture.HOST, 0))
                        .properties(TransportProperties.reliableInorderStream())
                        .security(SecurityParameters.disabled())
                        .framer(LengthPrefixFramer.factory(4)).build()
                        .listen(ScaleServer::accepted);
                TapsFixture.await(listener.ready());
                port = listener.port();
                server = () -> {
                    listener.close();
                    taps.close();
                };
                break;
            }
            case "netty": {
                NettyFixture.Server netty = NettyFixture.framedEchoServer(null, CONNECTIONS);
                port = netty.port();
                server = netty;
                break;
            }
            case "reactor": {
                LoopResources loops = ReactorFixture.loops();
                DisposableServer reactor = TcpServer.create().runOn(loops, NettyFixture.EPOLL)
                        .host(NettyFixture.HOST).port(0)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .doOnConnection(connection -> {
                            CONNECTIONS.incrementAndGet();
                            ReactorFixture.addLengthPrefixCodec(connection);
                        })
                        .handle((in, out) -> out.send(in.receive().retain()))
                        .bindNow(Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
                port = reactor.port();
                server = () -> {
                    reactor.disposeNow(Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
                    ReactorFixture.dispose(loops);
                };
                break;
            }
            default:
                System.err.println("usage: ScaleServer taps|netty|reactor");
                System.exit(2);
                return;
        }
        protocol.println("READY " + port);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = commands.readLine(); line != null && !line.equals("QUIT"); line = commands.readLine()) {
                if (line.equals("COUNT")) {
                    protocol.println("COUNT " + CONNECTIONS.get());
                } else if (line.equals("STATS")) {
                    long allocated = allocatedBytes();
                    protocol.println("STATS " + CONNECTIONS.get() + " " + heapAfterGc() + " " + rssKib() + " "
                            + allocated);
                } else if (line.equals("EVENTS")) {
                    protocol.println("EVENTS " + ECHO.describe());
                }
            }
        } finally {
            server.close();
        }
        System.exit(0);
    }

    /** The taps echo: receive, send back what came (the received Message itself, borrowed: no copy), receive again. */
    private static void accepted(Connection connection) {
        CONNECTIONS.incrementAndGet();
        connection.setEventHandler(ECHO);
        receive(connection);
    }

    private static void receive(Connection connection) {
        if (OWNED) {
            connection.receiveWithEvents(1, Integer.MAX_VALUE);
        } else {
            connection.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
        }
    }

    /**
     * What the taps echo saw besides its echoes: a sweep that misses echoes reports these
     * ({@code EVENTS}), so that a lost echo shows whether taps refused the Send, failed the Receive or
     * never delivered the request. One handler serves every Connection (it keeps no per-Connection
     * state), as a server's handler that only echoes would.
     */
    private static final EchoEvents ECHO = new EchoEvents();

    private static final class EchoEvents implements ConnectionEventHandler {
        final AtomicLong received = new AtomicLong();
        final AtomicLong partial = new AtomicLong();
        final AtomicLong sendErrors = new AtomicLong();
        final AtomicLong expired = new AtomicLong();
        final AtomicLong receiveErrors = new AtomicLong();
        final AtomicLong connectionErrors = new AtomicLong();
        final AtomicLong closed = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        public void received(Connection c, Message message) {
            received.incrementAndGet();
            c.sendWithEvents(message);
            receive(c);
        }

        @Override
        public void receivedPartial(Connection c, Message message) {
            partial.incrementAndGet();
        }

        @Override
        public void sendError(Connection c, io.taps.MessageContext context, TransportServicesException error) {
            sendErrors.incrementAndGet();
            firstError.compareAndSet(null, "sendError: " + error);
        }

        @Override
        public void expired(Connection c, io.taps.MessageContext context) {
            expired.incrementAndGet();
        }

        @Override
        public void receiveError(Connection c, io.taps.MessageContext context, TransportServicesException error) {
            receiveErrors.incrementAndGet();
            firstError.compareAndSet(null, "receiveError: " + error);
        }

        @Override
        public void connectionError(Connection c, TransportServicesException error) {
            // A client's reset at teardown is one; counted so that one during a sweep shows.
            connectionErrors.incrementAndGet();
        }

        @Override
        public void closed(Connection c) {
            closed.incrementAndGet();
        }

        String describe() {
            return "received=" + received + " receivedPartial=" + partial + " sendError=" + sendErrors + " expired="
                    + expired + " receiveError=" + receiveErrors + " connectionError=" + connectionErrors + " closed="
                    + closed + (firstError.get() == null ? "" : " first: " + firstError.get().replace('\n', ' '));
        }
    }

    /**
     * Heap in use after full collections (ParallelGC's System.gc() is a synchronous full GC), as
     * each heap pool recorded it at the end of the collection ({@code getCollectionUsage}), the least
     * of three. Not the heap's usage read after the collection returns: by then the reading thread
     * has taken a new TLAB (its first allocation after the collection), and the eden counts a whole
     * TLAB as used, up to ~1 MB depending on the thread's allocation history. That read ~1 MB too
     * high at random, in the baseline of some forks and not others, and so moved the 1,000-connection
     * heap row by ~1,000 B per connection (session 22).
     */
    static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long afterThisOne = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                MemoryUsage atCollection = pool.getCollectionUsage();
                if (pool.getType() == MemoryType.HEAP && atCollection != null) {
                    afterThisOne += atCollection.getUsed();
                }
            }
            used = Math.min(used, afterThisOne);
        }
        return used;
    }

    /**
     * Heap bytes allocated so far by the process's live threads (HotSpot's per-thread counters), -1
     * where the JVM does not count them. A server's threads live as long as it does, so the difference
     * between two answers is what the server allocated in between: the echoes' garbage, which decides
     * how large a young generation the collector keeps (and so how much of the heap is resident).
     */
    static long allocatedBytes() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean)) {
            return -1;
        }
        com.sun.management.ThreadMXBean counting = (com.sun.management.ThreadMXBean) threads;
        if (!counting.isThreadAllocatedMemorySupported() || !counting.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long total = 0;
        for (long allocated : counting.getThreadAllocatedBytes(counting.getAllThreadIds())) {
            total += Math.max(0, allocated);
        }
        return total;
    }

    /** The process's resident set (VmRSS), in KiB; -1 where /proc is missing. */
    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
