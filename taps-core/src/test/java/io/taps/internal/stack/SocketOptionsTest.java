package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.taps.ConnectionEventHandler;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.CapacityProfile;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connection Properties mapped to socket options on a real TCP socket (RFC 9622 §8.1.4, CP-04). */
class SocketOptionsTest {

    @Test
    void anUnsetKeepAliveTimeoutLeavesKeepAliveAsTheSelectionPropertyChoseIt() throws Exception {
        IoTransport transport = IoTransport.choose(true);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel channel = new Bootstrap().group(group).channel(transport.socketChannel())
                    .option(ChannelOption.SO_KEEPALIVE, true).handler(new ChannelInboundHandlerAdapter())
                    .connect(server.getLocalSocketAddress()).sync().channel();
            try {
                assertThat(ChannelLink.SocketOptions.apply(channel, StackKind.TCP, Property.KEEP_ALIVE_TIMEOUT,
                        Timeout.NONE)).isFalse();
                assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();

                channel.config().setOption(ChannelOption.SO_KEEPALIVE, false);
                assertThat(ChannelLink.SocketOptions.apply(channel, StackKind.TCP, Property.KEEP_ALIVE_TIMEOUT,
                        Timeout.of(Duration.ofSeconds(30)))).isTrue();
                assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            } finally {
                channel.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** Adoption applies Connection Properties that differ from their defaults, and leaves the socket's own defaults alone. */
    @Test
    void adoptionAppliesOnlyPropertiesThatDifferFromTheirDefaults() throws Exception {
        IoTransport transport = IoTransport.choose(true);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            Channel interactive = connect(group, transport, server);
            Channel preset = connect(group, transport, server);
            try {
                TransportProperties lowLatency = TransportProperties.builder()
                        .connCapacityProfile(CapacityProfile.LOW_LATENCY_INTERACTIVE).build();
                adopt(interactive, lowLatency);
                assertThat(interactive.config().getOption(ChannelOption.IP_TOS))
                        .isEqualTo(CapacityProfile.LOW_LATENCY_INTERACTIVE.dscp() << 2);

                // A default profile is not written over whatever the socket already has.
                preset.config().setOption(ChannelOption.IP_TOS, 0x20);
                adopt(preset, TransportProperties.builder().build());
                assertThat(preset.config().getOption(ChannelOption.IP_TOS)).isEqualTo(0x20);
            } finally {
                interactive.close().sync();
                preset.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static Channel connect(MultiThreadIoEventLoopGroup group, IoTransport transport, ServerSocket server)
            throws InterruptedException {
        return new Bootstrap().group(group).channel(transport.socketChannel()).handler(new ChannelInboundHandlerAdapter())
                .connect(server.getLocalSocketAddress()).sync().channel();
    }

    private static void adopt(Channel channel, TransportProperties properties) throws Exception {
        TapsConnection connection = new TapsConnection(channel.eventLoop(), null, properties, Role.INITIATE,
                new ConnectionEventHandler() { });
        channel.eventLoop().submit(() -> connection.establishPassive(new ChannelLink(channel, StackKind.TCP),
                StackKind.TCP.capabilities())).sync();
    }
}
