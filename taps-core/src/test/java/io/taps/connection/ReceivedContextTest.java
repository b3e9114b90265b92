package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The context of a received Message (RFC 9622 §9.1.1 GetRemoteEndpoint / GetLocalEndpoint,
 * §9.3.3.3 Final): taps keeps a link's addresses in it and makes the endpoints only when they are
 * read (issue 21 item 4), which must read the same as endpoints made up front: the peer's address
 * and port, the Listener's, and Final only on the peer's end of stream.
 */
class ReceivedContextTest extends TapsTestSupport {

    @Test
    void aFramedMessagesContextNamesBothEndsAndIsSharedByTheConnectionsMessages() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = listener(true, accepted);
        try (Socket client = new Socket("127.0.0.1", listener.port())) {
            Connection connection = await().atMost(Duration.ofSeconds(30)).until(() -> accepted.isEmpty() ? null
                    : accepted.get(0), java.util.Objects::nonNull);
            OutputStream out = client.getOutputStream();
            out.write(new byte[] {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 2, 'h', 'o'});
            out.flush();
            Message first = Await.result(connection.receive());
            Message second = Await.result(connection.receive());
            assertThat(first.asString()).isEqualTo("hi");
            assertThat(second.asString()).isEqualTo("ho");

            assertEndpoints(first.context(), client, listener.port());
            assertThat(first.context().isFinal()).isFalse();
            // One context per Connection serves every Message: none is made per Message.
            assertThat(second.context()).isSameAs(first.context());
            assertThat(first.context().toString()).contains(Integer.toString(client.getLocalPort()));
        } finally {
            listener.close();
        }
    }

    @Test
    void theStreamsFinalMessageNamesBothEndsAndIsFinal() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = listener(false, accepted);
        try (Socket client = new Socket("127.0.0.1", listener.port())) {
            Connection connection = await().atMost(Duration.ofSeconds(30)).until(() -> accepted.isEmpty() ? null
                    : accepted.get(0), java.util.Objects::nonNull);
            client.getOutputStream().write("bye".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            StringBuilder text = new StringBuilder();
            List<MessageContext> contexts = new ArrayList<>();
            Message end;
            do {
                end = Await.result(connection.receive());
                text.append(end.asString());
                contexts.add(end.context());
            } while (!end.endOfMessage());
            assertThat(text).hasToString("bye");
            assertThat(end.context().isFinal()).isTrue();
            for (MessageContext context : contexts) {
                assertEndpoints(context, client, listener.port());
            }
        } finally {
            listener.close();
        }
    }

    private static void assertEndpoints(MessageContext context, Socket client, int listenerPort) {
        assertThat(context.remoteEndpoint()).contains(RemoteEndpoint.ofAddress("127.0.0.1", client.getLocalPort()));
        assertThat(context.localEndpoint()).contains(LocalEndpoint.ofAddress("127.0.0.1", listenerPort));
        // Made when read, the same each time.
        assertThat(context.remoteEndpoint()).isEqualTo(context.remoteEndpoint());
        assertThat(context.localEndpoint()).isEqualTo(context.localEndpoint());
    }

    private static Listener listener(boolean framed, List<Connection> accepted) {
        var builder = taps.preconnection()
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled());
        if (framed) {
            builder = builder.framer(LengthPrefixFramer.factory(4));
        }
        Listener listener = builder.build().listen(accepted::add);
        Await.result(listener.ready());
        return listener;
    }
}
