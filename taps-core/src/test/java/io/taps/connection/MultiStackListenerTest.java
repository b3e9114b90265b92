package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A Listener listens on every eligible protocol stack (RFC 9622 §7.2, design.md Q-15), on one port
 * number, and names them in {@link Listener#protocolStacks()}: here TCP and UDP, when the Transport
 * Properties allow both, reached by plain JDK sockets (neither taps nor Netty).
 */
class MultiStackListenerTest {
    /** Neither reliability nor ordering nor congestion control required, messages replayable: TCP and UDP qualify. */
    private static final TransportProperties EITHER = TransportProperties.builder()
            .reliability(Preference.NO_PREFERENCE).preserveOrder(Preference.NO_PREFERENCE)
            .congestionControl(Preference.NO_PREFERENCE).safelyReplayable(true).build();

    @Test
    void aListenerListensOnEveryEligibleStackOnOnePortAndSaysWhich() throws Exception {
        List<String> receivedOver = new CopyOnWriteArrayList<>();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            Listener listener = taps.preconnection().properties(EITHER).security(SecurityParameters.disabled())
                    .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(connection -> {
                        receivedOver.add(connection.protocolStack().orElse("?"));
                        echo(connection);
                    });
            Await.result(listener.ready());
            assertThat(listener.protocolStacks()).containsExactlyInAnyOrder("TCP", "UDP");
            assertThat(listener.protocolStack()).isEqualTo(String.join(" + ", listener.protocolStacks()));

            try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
                tcp.setSoTimeout(10_000);
                OutputStream out = tcp.getOutputStream();
                out.write("over tcp".getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = tcp.getInputStream();
                assertThat(new String(in.readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("over tcp");
            }
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                udp.setSoTimeout(10_000);
                byte[] datagram = "over udp".getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(),
                        listener.port()));
                DatagramPacket answer = new DatagramPacket(new byte[64], 64);
                udp.receive(answer);
                assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8))
                        .isEqualTo("over udp");
            }
            assertThat(receivedOver).containsExactlyInAnyOrder("TCP", "UDP");
            Await.result(listener.stop());
        }
    }

    private static void echo(Connection connection) {
        connection.receive().thenAccept(message -> {
            if (message.length() > 0) {
                connection.send(Message.of(message.bytes()));
            }
            if (!message.context().isFinal()) {
                echo(connection);
            }
        });
    }
}
