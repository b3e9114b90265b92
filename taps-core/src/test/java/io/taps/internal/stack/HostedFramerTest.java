package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.internal.conn.LinkEvents;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.framer.ReceivePause;
import io.taps.properties.ConnectionState;
import io.taps.properties.Role;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The only framer of a TCP or TLS Connection runs in its taps handler (FramerStack.installHosted,
 * issue 21 figure 12): no framer handler in the pipeline, and what that handler did (flush
 * coalescing, pauses, the end of input behind paused Messages) done by the taps handler and the link.
 */
class HostedFramerTest extends TapsTestSupport {

    /** An initiated Connection's only framer has no handler either; several framers keep one each. */
    @Test
    void anInitiatedConnectionsOnlyFramerHasNoPipelineHandler() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    connection.receive().thenAccept(message -> connection.send(Message.of(message.bytes())));
                })) {
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            client.send(Message.of("ping"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("ping");
            assertThat(handlerNames(client)).as("the taps handler alone").containsExactly("taps");
            assertThat(handlerNames(accepted.get(0))).containsExactly("taps");
            client.abort();
        }
    }

    @Test
    void twoFramersKeepAHandlerEach() {
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4), LengthPrefixFramer.factory(2))
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> connection.receive().thenAccept(
                        message -> connection.send(Message.of(message.bytes()))))) {
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .framer(LengthPrefixFramer.factory(4), LengthPrefixFramer.factory(2))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            client.send(Message.of("two"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("two");
            assertThat(handlerNames(client)).containsExactly("framer-0", "framer-1", "taps");
            client.abort();
        }
    }

    /**
     * The largest Message of a pipeline whose only framer is hosted is that framer's, read without
     * allocating: walking the pipeline as a map copied it into a LinkedHashMap at every adoption
     * (~300 B of every accept, issue 21 figure 12). With two framers each keeps a handler, and the
     * smaller limit counts.
     */
    @Test
    void theHostedFramersLimitIsReadWithoutCopyingThePipeline() throws Exception {
        Hosted hosted = new Hosted(false);
        ChannelPipeline pipeline = hosted.channel.pipeline();
        assertThat(io.taps.internal.framer.FramerLimits.maxMessageSize(pipeline)).isEqualTo(1024);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            sum += io.taps.internal.framer.FramerLimits.maxMessageSize(pipeline);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sum).isEqualTo(10_000L * 1024);
        // A copy of the pipeline was ~300 B a call: 3,000,000 B.
        assertThat(allocated).isLessThan(10_000);
        hosted.channel.finishAndReleaseAll();

        EmbeddedChannel chained = new EmbeddedChannel();
        FramerStack.install(chained.pipeline(), List.of(LengthPrefixFramer.builder(4).maxMessageSize(4096).factory(),
                LengthPrefixFramer.builder(2).maxMessageSize(512).factory()), Role.LISTEN);
        assertThat(io.taps.internal.framer.FramerLimits.maxMessageSize(chained.pipeline())).isEqualTo(512);
        chained.finishAndReleaseAll();
    }

    /**
     * The echoes sent while the framer delivers one read's Messages leave with one flush: the
     * link holds its flushes while the hosted framer is in a call, as the framer's own handler did.
     */
    @Test
    void echoesOfOneReadLeaveWithOneFlush() throws Exception {
        Hosted hosted = new Hosted();
        hosted.echo = true;
        hosted.channel.writeInbound(frames("a", "bb", "ccc"));
        assertThat(hosted.received).containsExactly("a", "bb", "ccc");
        assertThat(hosted.writes).as("one framed write per echo").isEqualTo(3);
        assertThat(hosted.flushes).as("one flush for the three").isEqualTo(1);
        assertThat(written(hosted.channel)).isEqualTo(io.netty.buffer.ByteBufUtil.getBytes(frames("a", "bb", "ccc")));
        hosted.channel.finishAndReleaseAll();
    }

    /** While the Connection pauses reading, the framer parses nothing, and the end of input waits behind its Messages. */
    @Test
    void theEndOfInputWaitsBehindPausedMessages() throws Exception {
        Hosted hosted = new Hosted();
        ReceivePause.signal(hosted.channel, false);
        hosted.channel.writeInbound(frames("one", "two"));
        hosted.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(hosted.events).as("nothing while paused").isEmpty();
        ReceivePause.signal(hosted.channel, true);
        assertThat(hosted.events).containsExactly("one", "two", "input shut down");
        hosted.channel.finishAndReleaseAll();
    }

    /** Messages and the framer's failure before adoption are held, and handed over in their order. */
    @Test
    void whatTheFramerPassesUpBeforeAdoptionKeepsItsOrder() throws Exception {
        Hosted hosted = new Hosted(false);
        ByteBuf input = frames("early");
        input.writeBytes(new byte[] {(byte) 0xff, 0, 0, 0}); // a length past the framer's maximum
        hosted.channel.writeInbound(input);
        assertThat(hosted.events).isEmpty();
        hosted.bind();
        assertThat(hosted.events).hasSize(2).startsWith("early");
        assertThat(hosted.events.get(1)).startsWith("framing error");
        hosted.channel.finishAndReleaseAll();
    }

    /** What the Connection throws while taking a Message goes to exceptionCaught, as from a pipeline read, not to the framer. */
    @Test
    void aFailureWhileTakingAMessageIsTheLinksNotTheFramers() throws Exception {
        Hosted hosted = new Hosted();
        hosted.failDelivery = true;
        hosted.channel.writeInbound(frames("x"));
        assertThat(hosted.events).containsExactly("exception java.lang.IllegalStateException: delivery failed");
        hosted.channel.finishAndReleaseAll();
    }

    @Test
    void theChannelsEndStopsTheFramerAndReleasesItsInput() throws Exception {
        Hosted hosted = new Hosted();
        ByteBuf partial = Unpooled.buffer().writeBytes(new byte[] {0, 0, 0}); // three bytes of a four-byte prefix
        hosted.channel.writeInbound(partial.retain());
        assertThat(partial.refCnt()).as("held by the framer, unparsed").isEqualTo(2);
        hosted.channel.close();
        assertThat(partial.refCnt()).as("released at the end").isEqualTo(1);
        assertThat(hosted.events).contains("link closed");
        partial.release();
    }

    private static List<String> handlerNames(Connection connection) {
        Channel channel = ((ChannelLink) ((TapsConnection) connection).link()).channel();
        return new ArrayList<>(channel.pipeline().toMap().keySet());
    }

    private static ByteBuf frames(String... payloads) {
        ByteBuf out = Unpooled.buffer();
        for (String payload : payloads) {
            byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
            out.writeInt(bytes.length).writeBytes(bytes);
        }
        return out;
    }

    private static byte[] written(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        Object message;
        while ((message = channel.readOutbound()) != null) {
            all.writeBytes((ByteBuf) message);
            ((ByteBuf) message).release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    /** An EmbeddedChannel with a hosted length-prefix framer and a ConnectionHandler feeding recording events. */
    private static final class Hosted implements LinkEvents {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<String> received = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        int writes;
        int flushes;
        boolean echo;
        boolean failDelivery;
        ConnectionHandler handler;
        ChannelLink link;

        Hosted() throws Exception {
            this(true);
        }

        Hosted(boolean adopt) throws Exception {
            channel.pipeline().addLast("count", new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    writes++;
                    ctx.write(msg, promise);
                }

                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes++;
                    ctx.flush();
                }
            });
            FramerStack framers = FramerStack.installHosted(channel.pipeline(),
                    List.of(LengthPrefixFramer.builder(4).maxMessageSize(1024).factory()), Role.LISTEN);
            handler = new ConnectionHandler(new ConnectionHandler.AttemptObserver() {
                @Override
                public void stackReady(Channel ready, ConnectionHandler readyHandler) {
                    link = new ChannelLink(ready, StackKind.TCP);
                }

                @Override
                public void stackFailed(Channel failed, Throwable cause) {
                    throw new AssertionError(cause);
                }
            }, false, framers);
            channel.pipeline().addLast("taps", handler);
            handler.channelActive(channel.pipeline().context(handler));
            assertThat(channel.pipeline().toMap().keySet()).containsExactly("count", "taps");
            if (adopt) {
                bind();
            }
        }

        private void bind() {
            assertThat(link).as("ready").isNotNull();
            assertThat(link.framed()).isTrue();
            handler.bind(this);
        }

        @Override
        public void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
            String text = data.toString(StandardCharsets.US_ASCII);
            if (failDelivery) {
                data.release();
                throw new IllegalStateException("delivery failed");
            }
            received.add(text);
            events.add(text);
            if (echo) {
                link.writeMessage(data.retain(), MessageContext.create(), true, channel.newPromise());
                link.flush();
            }
            data.release();
        }

        @Override
        public void onStreamData(ByteBuf data) {
            data.release();
            events.add("raw bytes");
        }

        @Override
        public void onFramingError(TransportServicesException error) {
            events.add("framing error " + error.reason());
        }

        @Override
        public void onCloseRequested() {
            events.add("close requested");
        }

        @Override
        public void onDatagram(ByteBuf data, InetSocketAddress sender) {
            data.release();
        }

        @Override
        public void onInputShutdown() {
            events.add("input shut down");
        }

        @Override
        public void onLinkClosed() {
            events.add("link closed");
        }

        @Override
        public void onLinkException(Throwable cause) {
            events.add("exception " + cause);
        }

        @Override
        public void writabilityChanged() {
        }

        @Override
        public ConnectionState state() {
            return ConnectionState.ESTABLISHED;
        }
    }
}
