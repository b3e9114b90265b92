package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.properties.Role;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs framers in an {@link EmbeddedChannel} exactly as taps does (the same {@link FramerStack}
 * and handlers), with a tracking allocator so a test can prove every buffer was released.
 */
public final class FramerHarness implements AutoCloseable {

    /** One delivery to the application side: a part of a Message. */
    public record Part(byte[] bytes, MessageContext context, boolean endOfMessage) {
    }

    /** A whole Message put together from its parts. */
    public record Whole(byte[] bytes, MessageContext context, int parts) {
    }

    public final EmbeddedChannel channel;
    public final FramerStack stack;
    public final TrackingAllocator alloc = new TrackingAllocator();
    public final List<Part> parts = new ArrayList<>();
    public final List<TransportServicesException> failures = new ArrayList<>();
    public int closeSignals;
    public boolean ready;
    public TransportServicesException startFailure;
    private final List<ByteBuf> inputs = new ArrayList<>();

    public FramerHarness(FramerFactory... factories) {
        this(Role.INITIATE, factories);
    }

    public FramerHarness(Role role, FramerFactory... factories) {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        stack = FramerStack.install(channel.pipeline(), List.of(factories), role);
        channel.pipeline().addLast("app", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FramedMessage) {
                    FramedMessage framed = (FramedMessage) msg;
                    ByteBuf data = framed.content();
                    byte[] bytes = new byte[data.readableBytes()];
                    data.getBytes(data.readerIndex(), bytes);
                    parts.add(new Part(bytes, framed.context(), framed.endOfMessage()));
                    framed.release();
                } else if (msg instanceof FramingSignal) {
                    FramingSignal signal = (FramingSignal) msg;
                    if (signal.error() == null) {
                        closeSignals++;
                    } else {
                        failures.add(signal.error());
                    }
                } else if (msg instanceof ByteBuf) {
                    ByteBuf data = (ByteBuf) msg;
                    byte[] bytes = new byte[data.readableBytes()];
                    data.readBytes(bytes);
                    parts.add(new Part(bytes, null, false));
                    data.release();
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
        });
    }

    public FramerHarness start() {
        stack.start(() -> ready = true, error -> startFailure = error);
        channel.runPendingTasks();
        return this;
    }

    /** Feeds received bytes as one network read (a tracked buffer, released by taps). */
    public FramerHarness feed(byte[] bytes, int from, int to) {
        ByteBuf buffer = alloc.buffer(Math.max(1, to - from));
        buffer.writeBytes(bytes, from, to - from);
        inputs.add(buffer);
        channel.pipeline().fireChannelRead(buffer);
        channel.runPendingTasks();
        return this;
    }

    public FramerHarness feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    public FramerHarness endInput() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.runPendingTasks();
        return this;
    }

    /** Sends (part of) a Message as taps does and returns the future of its write. */
    public ChannelFuture send(byte[] payload, MessageContext context, boolean endOfMessage) {
        return send(Unpooled.wrappedBuffer(payload), context, endOfMessage);
    }

    /** Writes {@code payload} (its one reference is the framers') down the pipeline, as SendPath does. */
    public ChannelFuture send(io.netty.buffer.ByteBuf payload, MessageContext context, boolean endOfMessage) {
        ChannelFuture future = channel.write(new FramedMessage(payload, context, endOfMessage));
        channel.flush();
        channel.runPendingTasks();
        return future;
    }

    /** Everything written towards the network so far, concatenated; the buffers are released. */
    public byte[] written() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object message;
        while ((message = channel.readOutbound()) != null) {
            ByteBuf data = (ByteBuf) message;
            byte[] bytes = new byte[data.readableBytes()];
            data.readBytes(bytes);
            out.writeBytes(bytes);
            data.release();
        }
        return out.toByteArray();
    }

    /** The whole Messages delivered so far (parts joined at each end of Message). */
    public List<Whole> messages() {
        List<Whole> wholes = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        int count = 0;
        for (Part part : parts) {
            current.writeBytes(part.bytes());
            count++;
            if (part.endOfMessage()) {
                wholes.add(new Whole(current.toByteArray(), part.context(), count));
                current.reset();
                count = 0;
            }
        }
        return wholes;
    }

    /** Bytes of an unfinished Message at the end of the parts. */
    public int pendingPartBytes() {
        int pending = 0;
        for (Part part : parts) {
            pending = part.endOfMessage() ? 0 : pending + part.bytes().length;
        }
        return pending;
    }

    /** The framer runtime nearest the network, to inspect what it buffers. */
    public FramerRuntime lowest() {
        FramerRuntime lowest = null;
        for (var entry : channel.pipeline()) {
            if (entry.getValue() instanceof FramerHandler && lowest == null) {
                lowest = ((FramerHandler) entry.getValue()).hostedFramer();
            }
        }
        return lowest;
    }

    /** Closes the channel and checks that every buffer taps or the test allocated was released. */
    @Override
    public void close() {
        channel.finishAndReleaseAll();
        for (ByteBuf input : inputs) {
            if (input.refCnt() != 0) {
                throw new AssertionError("a received buffer was not released: refCnt " + input.refCnt());
            }
        }
        alloc.assertAllReleased();
    }

    /** An unpooled allocator that remembers every buffer it made. */
    public static final class TrackingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
        private final List<ByteBuf> made = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
            return track(super.compositeHeapBuffer(maxNumComponents));
        }

        @Override
        public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
            return track(super.compositeDirectBuffer(maxNumComponents));
        }

        private <B extends ByteBuf> B track(B buffer) {
            made.add(buffer);
            return buffer;
        }

        public int count() {
            return made.size();
        }

        void assertAllReleased() {
            for (ByteBuf buffer : made) {
                if (buffer.refCnt() != 0) {
                    throw new AssertionError("a buffer allocated during framing was not released: " + buffer);
                }
            }
        }
    }

    /** The allocator type, for tests that need one outside a channel. */
    public static ByteBufAllocator trackingAllocator() {
        return new TrackingAllocator();
    }
}
