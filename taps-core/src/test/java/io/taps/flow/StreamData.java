package io.taps.flow;

import io.taps.Message;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic test data: chunk {@code i} is a window of a fixed random block with {@code i}
 * written into its first 8 bytes, so chunks never repeat and cost only a copy to make; and a
 * demand-honouring Flow.Publisher of such chunks that hashes what it emits.
 */
final class StreamData {
    private static final byte[] BLOCK = new byte[(1 << 20) + 7];

    static {
        new Random(22).nextBytes(BLOCK);
    }

    private StreamData() {
    }

    static byte[] chunk(long index, int size) {
        byte[] chunk = new byte[size];
        int offset = (int) ((index * 4099) % (BLOCK.length - size));
        System.arraycopy(BLOCK, offset, chunk, 0, size);
        ByteBuffer.wrap(chunk).putLong(0, index);
        return chunk;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Emits {@code count} chunks of {@code size} bytes as Messages, each only when requested (it
     * fails the test through {@link #violation} otherwise), on the requesting thread; records the
     * most bytes emitted but not yet confirmed as sent by {@code sentSoFar}.
     */
    static final class ChunkSource implements Flow.Publisher<Message> {
        final MessageDigest digest = sha256();
        final AtomicLong emitted = new AtomicLong();
        final AtomicLong maxUnconfirmed = new AtomicLong();
        volatile String violation;
        volatile boolean cancelled;
        private final long count;
        private final int size;
        private final java.util.function.LongSupplier sentSoFar;

        ChunkSource(long count, int size, java.util.function.LongSupplier sentSoFar) {
            this.count = count;
            this.size = size;
            this.sentSoFar = sentSoFar;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Message> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private long next;
                private long demand;
                private boolean emitting;

                @Override
                public void request(long n) {
                    if (n <= 0) {
                        violation = "request(" + n + ")";
                        return;
                    }
                    synchronized (this) {
                        demand += n;
                        if (emitting) {
                            return; // the running loop below picks it up: no recursion
                        }
                        emitting = true;
                    }
                    while (true) {
                        long index;
                        boolean complete = false;
                        synchronized (this) {
                            if (!cancelled && next == count) {
                                next++;
                                complete = true; // onComplete needs no demand (rule 1.4)
                            } else if (cancelled || demand == 0 || next > count) {
                                emitting = false;
                                return;
                            } else {
                                demand--;
                            }
                            index = complete ? -1 : next++;
                        }
                        if (complete) {
                            subscriber.onComplete();
                            continue;
                        }
                        byte[] bytes = chunk(index, size);
                        digest.update(bytes);
                        long out = emitted.addAndGet(size);
                        maxUnconfirmed.accumulateAndGet(out - sentSoFar.getAsLong(), Math::max);
                        subscriber.onNext(Message.wrap(bytes));
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }
}
