package io.taps.benchmarks;

import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.resources.LoopResources;

/**
 * The Reactor Netty client of a {@link Flow} (BULK, PIPELINED, TCP, TLS, UDP): one
 * {@link Connection}; every send copies the application's array into a pooled buffer and writes it
 * with {@code outbound().sendObject(buffer).then().subscribe(..)} (one write and flush per message,
 * as the other two clients do); responses arrive through one subscription to
 * {@code inbound().receiveObject()}, frames cut by the same length-prefix decoder as the raw client.
 * Reactor Netty releases each received buffer after {@code onNext}.
 */
public abstract class ReactorFlow extends Flow {
    private LoopResources loops;
    private Connection connection;
    private byte[] request;
    private boolean completesOnWrite;
    private final Consumer<Throwable> onError = this::failed;
    private final Runnable onWritten = this::completed;

    @Override
    protected void open(Workload workload, NettyFixture.Server server) {
        if (!supports(workload)) {
            throw new IllegalArgumentException("Reactor Netty has no client for " + workload + " (see the README)");
        }
        loops = ReactorFixture.loops();
        request = NettyFixture.pattern(workload.unitBytes());
        completesOnWrite = workload == Workload.BULK;
        try {
            if (workload == Workload.UDP) {
                connection = ReactorFixture.udp(loops, server).connectNow(
                        java.time.Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
            } else {
                connection = ReactorFixture.connect((workload.secure() ? ReactorFixture.tls(loops, server)
                        : ReactorFixture.tcp(loops, server)).doOnConnected(c -> {
                            if (workload.framed()) {
                                ReactorFixture.addLengthPrefixCodec(c);
                            }
                        }));
            }
            if (!completesOnWrite) {
                connection.inbound().receiveObject().subscribe(response -> completed(), onError);
            }
        } catch (RuntimeException e) {
            ReactorFixture.dispose(loops);
            throw e;
        }
    }

    /** Whether Reactor Netty (core) has a client for {@code workload}: not for QUIC, QUIC datagrams and DTLS. */
    public static boolean supports(Workload workload) {
        return workload != Workload.QUIC && workload != Workload.QUIC_DATAGRAM && workload != Workload.DTLS;
    }

    @Override
    protected void send() {
        Mono<Void> write = connection.outbound().sendObject(NettyFixture.copy(connection.channel().alloc(), request))
                .then();
        if (completesOnWrite) {
            write.subscribe(null, onError, onWritten);
        } else {
            write.subscribe(null, onError);
        }
    }

    @Override
    protected void closeClient() {
        try {
            connection.disposeNow(java.time.Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
        } finally {
            ReactorFixture.dispose(loops);
        }
    }
}
