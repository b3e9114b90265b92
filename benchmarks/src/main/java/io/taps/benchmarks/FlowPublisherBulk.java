package io.taps.benchmarks;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.TransportServices;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Figure 14 (issue 22): bulk TCP through a {@link java.util.concurrent.Flow.Publisher}: taps'
 * {@code Connection.sendAll(publisher)} sends {@link Flow#BATCH} 64 KiB Messages per invocation,
 * requesting each from the publisher as its Sent-driven window (2 MiB) allows, against the raw
 * Netty bulk client of figure 1 (16 writes of 64 KiB in flight, the next written from each write's
 * completion). Both send to the same discarding raw Netty server; an operation is one 64 KiB
 * Message, so the report turns operations/s into payload Gbit/s like figure 1.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class FlowPublisherBulk {

    /** The taps side: one Connection to a discarding server, each batch one sendAll. */
    @State(Scope.Benchmark)
    public static class Taps {
        private NettyFixture.Server server;
        private TransportServices taps;
        private Connection connection;
        private byte[] payload;

        @Setup(Level.Trial)
        public void setup() {
            server = NettyFixture.discardServer(null);
            taps = TapsFixture.create();
            payload = NettyFixture.pattern(Flow.Workload.BULK.unitBytes());
            connection = TapsFixture.open(TapsFixture.tcp(taps, server), new ConnectionEventHandler() { });
        }

        /** Sends {@link Flow#BATCH} Messages through sendAll and waits until the last is Sent. */
        public void batch() {
            // wrap, as figure 1's taps client: the application hands its array over.
            java.util.concurrent.Flow.Publisher<Message> messages = new RepeatPublisher(payload, Flow.BATCH);
            long sent = TapsFixture.await(connection.sendAll(messages));
            if (sent != (long) Flow.BATCH * payload.length) {
                throw new IllegalStateException("sendAll sent " + sent + " bytes");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                TapsFixture.close(connection);
                taps.close();
            } finally {
                server.close();
            }
        }
    }

    /** The raw Netty side: figure 1's bulk client. */
    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        @Override
        protected Workload workload() {
            return Workload.BULK;
        }
    }

    @Benchmark
    @OperationsPerInvocation(Flow.BATCH)
    public void taps(Taps flow) {
        flow.batch();
    }

    @Benchmark
    @OperationsPerInvocation(Flow.BATCH)
    public void netty(Netty flow) throws InterruptedException {
        flow.batch();
    }

    /**
     * A minimal demand-honouring publisher of {@code count} Messages around one array, emitting on the
     * requesting thread (which is the Connection's event loop once Sent events drive the requests),
     * with a loop instead of recursion: what a generator publisher in an application looks like.
     */
    static final class RepeatPublisher implements java.util.concurrent.Flow.Publisher<Message> {
        private final byte[] payload;
        private final int count;

        RepeatPublisher(byte[] payload, int count) {
            this.payload = payload;
            this.count = count;
        }

        @Override
        public void subscribe(java.util.concurrent.Flow.Subscriber<? super Message> subscriber) {
            subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
                private int emitted;
                private long demand;
                private boolean emitting;
                private boolean done;

                @Override
                public void request(long n) {
                    synchronized (this) {
                        demand += n;
                        if (emitting) {
                            return;
                        }
                        emitting = true;
                    }
                    while (true) {
                        boolean complete;
                        synchronized (this) {
                            complete = emitted == count && !done;
                            if (complete) {
                                done = true;
                            } else if (done || demand == 0) {
                                emitting = false;
                                return;
                            } else {
                                demand--;
                                emitted++;
                            }
                        }
                        if (complete) {
                            subscriber.onComplete();
                        } else {
                            subscriber.onNext(Message.wrap(payload));
                        }
                    }
                }

                @Override
                public void cancel() {
                    synchronized (this) {
                        done = true;
                    }
                }
            });
        }
    }
}
