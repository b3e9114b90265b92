package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.taps.Preconnection;
import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * "Connect via SOCKS5 proxy": connections per second through an in-process SOCKS5 relay
 * ({@link Socks5Relay}) to the raw Netty discard server, each established (TCP to the relay, the
 * SOCKS5 greeting and CONNECT, the relay's upstream connect), closed and closed by the peer in turn.
 * taps: a Preconnection with {@code ProxyConfig.only(socks5)}, Ready when the tunnel is open; raw
 * Netty: a Bootstrap with {@code Socks5ProxyHandler} at the head of the pipeline, done when its
 * connect future (ProxyConnectionEvent) completes.
 *
 * <p>Both sides do the same work: the same relay, the same destination (127.0.0.1 and the server's
 * port, sent to the relay as an IPv4 address), the same close (shutdown of the output, then waiting
 * for the relay to close). Each opening thread waits once per connection: taps for Ready, raw Netty
 * for the proxy handler's connect future. (Until session 10 the raw side first waited for the TCP
 * connect to the relay and then for the tunnel, one more wake-up of the benchmark thread per
 * connection that a Netty user has no reason to pay and taps did not; that handicapped the
 * baseline.) The raw side hands each connection its new proxy handler and a promise through a
 * field read by the channel initializer, which relays the handler's connect future to the promise
 * (the handler's future cannot be waited on before the handler is in a pipeline, which the event
 * loop builds after {@code connect} returns); a failed connect to the relay fails the promise too.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class ProxyConnect {

    @State(Scope.Benchmark)
    public static class Taps extends ConnectClose {
        @Param({"SOCKS5"})
        public String workload;
        private Socks5Relay relay;
        private TransportServices taps;
        private Preconnection preconnection;

        @Override
        protected boolean tls() {
            return false;
        }

        @Override
        protected void open(NettyFixture.Server server, boolean tls) {
            relay = Socks5Relay.start();
            taps = TapsFixture.create();
            preconnection = taps.preconnection().remote(RemoteEndpoint.ofAddress(NettyFixture.HOST, server.port()))
                    .properties(TransportProperties.reliableInorderStream()).security(SecurityParameters.disabled())
                    .proxies(ProxyConfig.only(ProxyServer.socks5(NettyFixture.HOST, relay.address().getPort())))
                    .build();
        }

        @Override
        public void connectAndClose() {
            TapsFixture.close(TapsFixture.open(preconnection, TapsFixture.NO_EVENTS));
        }

        @Override
        protected void closeClient() {
            try {
                taps.close();
            } finally {
                relay.close();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends ConnectClose {
        @Param({"SOCKS5"})
        public String workload;
        private Socks5Relay relay;
        private EventLoopGroup group;
        private Bootstrap bootstrap;
        private java.net.InetSocketAddress destination;
        /**
         * The connection being opened: its proxy handler and the promise its tunnel completes,
         * handed to the channel's initializer on the event loop (the benchmark thread opens one
         * connection at a time; the loop's task queue orders the write before the read).
         */
        private volatile Opening next;

        private record Opening(Socks5ProxyHandler proxy, io.netty.util.concurrent.Promise<Void> tunnel) {
        }

        @Override
        protected boolean tls() {
            return false;
        }

        @Override
        protected void open(NettyFixture.Server target, boolean tls) {
            destination = target.address();
            relay = Socks5Relay.start();
            group = NettyFixture.group(1);
            bootstrap = NettyFixture.tcpClient(group, ch -> {
                Opening opening = next;
                ch.pipeline().addFirst(opening.proxy());
                // The handler's own future cannot be waited on before it is in a pipeline.
                opening.proxy().connectFuture().addListener(done -> {
                    if (done.isSuccess()) {
                        opening.tunnel().trySuccess(null);
                    } else {
                        opening.tunnel().tryFailure(done.cause());
                    }
                });
            });
        }

        @Override
        public void connectAndClose() {
            Opening opening = new Opening(new Socks5ProxyHandler(relay.address()), group.next().newPromise());
            next = opening;
            ChannelFuture connecting = bootstrap.connect(destination);
            connecting.addListener(done -> {
                if (!done.isSuccess()) {
                    opening.tunnel().tryFailure(done.cause());
                }
            });
            Channel channel = connecting.channel();
            // One wait, as for taps' Ready: the tunnel open (or the connect to the relay failed).
            opening.tunnel().syncUninterruptibly();
            ((DuplexChannel) channel).shutdownOutput();
            if (!channel.closeFuture().awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS * 1000)) {
                channel.close();
                throw new IllegalStateException("the relay did not close within " + TapsFixture.TIMEOUT_SECONDS + " s");
            }
        }

        @Override
        protected void closeClient() {
            try {
                NettyFixture.shutdown(group);
            } finally {
                relay.close();
            }
        }
    }

    /**
     * The second baseline (issue 21): Reactor Netty's {@code TcpClient.proxy(SOCKS5)}, which puts the
     * same {@code Socks5ProxyHandler} in the pipeline and reports the connection once the tunnel is open.
     */
    @State(Scope.Benchmark)
    public static class Reactor extends ConnectClose {
        @Param({"SOCKS5"})
        public String workload;
        private Socks5Relay relay;
        private reactor.netty.resources.LoopResources loops;
        private reactor.netty.tcp.TcpClient client;

        @Override
        protected boolean tls() {
            return false;
        }

        @Override
        protected void open(NettyFixture.Server server, boolean tls) {
            relay = Socks5Relay.start();
            loops = ReactorFixture.loops();
            client = ReactorFixture.tcp(loops, server).proxy(spec -> spec
                    .type(reactor.netty.transport.ProxyProvider.Proxy.SOCKS5).address(relay.address()));
        }

        @Override
        public void connectAndClose() {
            reactor.netty.Connection connection = ReactorFixture.connect(client);
            Socks5ProxyHandler proxy = connection.channel().pipeline().get(Socks5ProxyHandler.class);
            if (proxy != null) {
                proxy.connectFuture().syncUninterruptibly();
            }
            ReactorFixture.closeGracefully(connection);
        }

        @Override
        protected void closeClient() {
            try {
                ReactorFixture.dispose(loops);
            } finally {
                relay.close();
            }
        }
    }

    @Benchmark
    public void taps(Taps connections) {
        connections.connectAndClose();
    }

    @Benchmark
    public void netty(Netty connections) {
        connections.connectAndClose();
    }

    @Benchmark
    public void reactor(Reactor connections) {
        connections.connectAndClose();
    }
}
