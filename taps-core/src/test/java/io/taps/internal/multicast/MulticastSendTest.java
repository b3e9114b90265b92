package io.taps.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a multicast send request becomes socket settings (RFC 9622 §6.1.1 WithHopLimit, A-03, EP-03). */
class MulticastSendTest {

    private static MulticastSend request(RemoteEndpoint remote, List<LocalEndpoint> locals) {
        return MulticastSend.of(new PreconnectionSpec(locals, List.of(remote), TransportProperties.unreliableDatagram(),
                SecurityParameters.disabled()));
    }

    @Test
    void hopLimitOutgoingInterfaceAndLoopbackBecomeSocketOptions_A03() throws Exception {
        MulticastSend send = request(RemoteEndpoint.builder().withMulticastGroupIP(InetAddress.getByName("239.1.1.1"))
                .withPort(5000).withHopLimit(7).build(), List.of(LocalEndpoint.builder().withInterface("lo").build()));
        NetworkInterface outgoing = send.outgoingInterface();
        assertThat(outgoing.getName()).isEqualTo("lo");
        Bootstrap bootstrap = send.bootstrap(IoTransport.NIO, outgoing);
        assertThat(bootstrap.config().options()).containsEntry(ChannelOption.IP_MULTICAST_TTL, 7)
                .containsEntry(ChannelOption.IP_MULTICAST_IF, outgoing)
                .doesNotContainKey(ChannelOption.IP_MULTICAST_LOOP_DISABLED);
        assertThat(send.bindAddress()).isNull();
        // Netty's epoll IP_MULTICAST_TTL would set the unicast IP_TTL: the raw option is used instead.
        assertThat(send.bootstrap(IoTransport.EPOLL, outgoing).config().options())
                .containsEntry(MulticastSend.EPOLL_MULTICAST_TTL, 7).doesNotContainKey(ChannelOption.IP_MULTICAST_TTL);
        MulticastSend v6 = request(RemoteEndpoint.builder().withMulticastGroupIP(InetAddress.getByName("ff1e::1"))
                .withPort(5000).withHopLimit(9).build(), List.of());
        assertThat(v6.bootstrap(IoTransport.EPOLL, null).config().options())
                .containsEntry(MulticastSend.EPOLL_MULTICAST_HOPS, 9);
        assertThat(v6.bootstrap(IoTransport.NIO, null).config().options())
                .containsEntry(ChannelOption.IP_MULTICAST_TTL, 9);
    }

    @Test
    void withoutHopLimitTheKernelDefaultStays() throws Exception {
        MulticastSend send = request(RemoteEndpoint.builder().withMulticastGroupIP(InetAddress.getByName("239.1.1.1"))
                .withPort(5000).build(), List.of(LocalEndpoint.ofAddress("127.0.0.1", 0)));
        assertThat(send.hopLimit()).isNull();
        assertThat(send.bindAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(send.bootstrap(IoTransport.NIO, null).config().options())
                .doesNotContainKey(ChannelOption.IP_MULTICAST_TTL).doesNotContainKey(ChannelOption.IP_MULTICAST_IF);
    }
}
