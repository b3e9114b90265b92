package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.Preference;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The socket options taps' TCP sockets end up with, on both ends: TCP_NODELAY on (Netty's default,
 * which taps no longer sets a second time), SO_KEEPALIVE only when {@code keepAlive} asks for it
 * (RFC 9622 §6.2.10: taps no longer writes "off" onto a socket that starts with it off).
 */
class StreamSocketOptionsTest extends TapsTestSupport {

    @Test
    void defaultTcpSocketsHaveNoDelayAndNoKeepAliveOnBothEnds() {
        assertOptions(TransportProperties.reliableInorderStream(), false);
    }

    @Test
    void keepAliveRequiredTurnsSoKeepAliveOnForInitiatedAndAcceptedSockets() {
        assertOptions(TransportProperties.reliableInorderStream().toBuilder().keepAlive(Preference.REQUIRE).build(), true);
    }

    private static void assertOptions(TransportProperties properties, boolean keepAlive) {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(properties).security(SecurityParameters.disabled()).build().listen()) {
            Await.result(listener.ready());
            CompletionStage<Connection> accepted = listener.accept();
            Connection initiated = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(properties).security(SecurityParameters.disabled()).build().initiate();
            Await.result(initiated.ready());
            Connection server = Await.result(accepted);
            for (Connection connection : new Connection[] {initiated, server}) {
                Channel channel = ((ChannelLink) ((TapsConnection) connection).link()).channel();
                assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY").isTrue();
                assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).as("SO_KEEPALIVE").isEqualTo(keepAlive);
            }
            initiated.abort();
            server.abort();
        }
    }
}
