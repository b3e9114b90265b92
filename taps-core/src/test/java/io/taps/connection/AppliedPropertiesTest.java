package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import io.taps.Connection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * GetProperties reports what the link really applied (RFC 9622 §8.1), not what was asked: the TCP
 * user timeout ({@code tcp.userTimeoutValue}, §8.2.1) exists only on the epoll transport.
 */
class AppliedPropertiesTest {

    private static Timeout userTimeoutAfterSetting(boolean nativeTransport) throws Exception {
        try (TransportServices services = TransportServices.builder().eventLoopThreads(1)
                .nativeTransport(nativeTransport).build();
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Connection client = services.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .properties(TransportProperties.builder().build()).build().initiate();
            try (Socket peer = server.accept()) {
                Await.result(client.ready());
                client.setProperty(Property.TCP_USER_TIMEOUT_VALUE, Timeout.of(Duration.ofSeconds(7)));
                // The value is applied on the connection's event loop; a Receive-free round trip
                // through it (a zero-length send) orders the read after the application.
                Await.result(client.send(io.taps.Message.of(new byte[0])));
                return client.getProperties().get(Property.TCP_USER_TIMEOUT_VALUE);
            } finally {
                client.abort();
            }
        }
    }

    @Test
    void aUserTimeoutTheSocketCannotTakeReadsAsNone() throws Exception {
        assertThat(userTimeoutAfterSetting(false)).isEqualTo(Timeout.NONE);
    }

    @Test
    void aUserTimeoutTheSocketTookReadsAsSet() throws Exception {
        assumeThat(Epoll.isAvailable()).as("TCP_USER_TIMEOUT needs the epoll transport").isTrue();
        assertThat(userTimeoutAfterSetting(true)).isEqualTo(Timeout.of(Duration.ofSeconds(7)));
    }
}
