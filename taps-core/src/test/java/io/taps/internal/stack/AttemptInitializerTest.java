package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-attempt initializer does what Netty's ChannelInitializer does for one channel (issue 21:
 * without its ConcurrentHashMap per attempt): the set-up runs once the channel is registered, once,
 * the handlers it adds see channelRegistered, it leaves the pipeline, and a failing set-up closes
 * the channel.
 */
class AttemptInitializerTest {
    private static final class Recording extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            events.add("registered");
            ctx.fireChannelRegistered();
        }
    }

    private static final class Counting extends AttemptInitializer {
        final Recording added = new Recording();
        int runs;

        @Override
        protected void initChannel(Channel channel) {
            runs++;
            channel.pipeline().addLast(added);
        }
    }

    @Test
    void addedBeforeRegistrationItRunsOnceAtRegistrationAndItsHandlersSeeIt() throws Exception {
        Counting initializer = new Counting();
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(initializer);
        assertThat(initializer.runs).as("before registration").isZero();
        channel.register();
        assertThat(initializer.runs).isEqualTo(1);
        assertThat(initializer.added.events).containsExactly("registered");
        assertThat(channel.pipeline().get(Counting.class)).as("the initializer left the pipeline").isNull();
        assertThat(channel.pipeline().last()).isSameAs(initializer.added);
        channel.finishAndReleaseAll();
    }

    @Test
    void addedToARegisteredChannelItRunsAtOnce() {
        Counting initializer = new Counting();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(initializer);
        assertThat(initializer.runs).isEqualTo(1);
        assertThat(channel.pipeline().get(Counting.class)).isNull();
        assertThat(channel.pipeline().last()).isSameAs(initializer.added);
        channel.finishAndReleaseAll();
    }

    @Test
    void aFailingSetUpClosesTheChannel() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(new AttemptInitializer() {
            @Override
            protected void initChannel(Channel ch) {
                throw new IllegalStateException("set-up failed (test)");
            }
        });
        channel.register();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.pipeline().get(AttemptInitializer.class)).isNull();
    }
}
