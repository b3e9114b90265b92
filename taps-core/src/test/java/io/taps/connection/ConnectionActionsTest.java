package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Preconnection;
import io.taps.ResolvedEndpoints;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.ChannelLink;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 10, the RFC 9622 actions that were missing: batching (§9.2.4), adding and removing
 * endpoints (§7.5) and Preconnection.Resolve (§7.3), on real sockets against a plain TCP peer.
 */
class ConnectionActionsTest extends TapsTestSupport {

    /** Counts what reaches the socket: writes and flushes, at the head of the pipeline. */
    private static final class WireCounter extends ChannelDuplexHandler {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
            writes.incrementAndGet();
            context.write(message, promise);
        }

        @Override
        public void flush(ChannelHandlerContext context) {
            flushes.incrementAndGet();
            context.flush();
        }
    }

    private static Preconnection tcpTo(int port) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .security(SecurityParameters.disabled()).properties(TransportProperties.defaults()).build();
    }

    private static WireCounter countWrites(Connection connection) {
        Channel channel = ((ChannelLink) ((TapsConnection) connection).link()).channel();
        WireCounter counter = new WireCounter();
        channel.pipeline().addFirst("wire-counter", counter);
        return counter;
    }

    @Test
    void aBatchsMessagesLeaveWithOneFlush_A20() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            InputStream in = socket.getInputStream();
            received.write(PlainTcpPeer.readToEnd(in));
        })) {
            Connection connection = tcpTo(peer.port()).initiate();
            Await.result(connection.ready());
            WireCounter counter = countWrites(connection);

            connection.startBatch();
            List<CompletionStage<?>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(connection.send("m" + i + ";"));
            }
            connection.endBatch();
            CompletableFuture.allOf(sent.stream().map(CompletionStage::toCompletableFuture)
                    .toArray(CompletableFuture[]::new)).get();
            assertThat(counter.writes).as("one write per Message").hasValue(10);
            assertThat(counter.flushes).as("one flush per batch").hasValue(1);

            Await.result(connection.send("a;"));
            Await.result(connection.send("b;"));
            assertThat(counter.flushes).as("outside a batch each Message flushes").hasValue(3);

            connection.startBatch();
            connection.send("open;");
            connection.close(); // Close ends the open batch: its Message is not stranded
            Await.result(connection.closed());
            Await.result(peer.done());
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            expected.append("m").append(i).append(';');
        }
        assertThat(received.toString()).isEqualTo(expected + "a;b;open;");
    }

    @Test
    void endpointsAreKnownAddedAndRemoved_A15() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            RemoteEndpoint asked = RemoteEndpoint.ofHost("localhost", peer.port());
            Connection connection = taps.preconnection().remote(asked).security(SecurityParameters.disabled())
                    .properties(TransportProperties.defaults()).build().initiate();
            Await.result(connection.ready());
            RemoteEndpoint inUse = connection.remoteEndpoint().orElseThrow();
            LocalEndpoint localInUse = connection.localEndpoint().orElseThrow();
            assertThat(connection.remoteEndpoints()).containsExactly(asked, inUse);
            assertThat(connection.localEndpoints()).containsExactly(localInUse);

            RemoteEndpoint spare = RemoteEndpoint.ofAddress("127.0.0.2", peer.port());
            connection.addRemote(spare, asked); // asked is known: ignored
            assertThat(connection.remoteEndpoints()).containsExactly(asked, inUse, spare);
            connection.removeRemote(spare, asked, RemoteEndpoint.ofAddress("127.0.0.3", 1));
            assertThat(connection.remoteEndpoints()).containsExactly(inUse);
            Await.result(connection.send("still up"));

            LocalEndpoint otherLocal = LocalEndpoint.ofAddress("127.0.0.1", 0);
            connection.addLocal(otherLocal);
            connection.removeLocal(otherLocal);
            assertThat(connection.localEndpoints()).containsExactly(localInUse);
            Await.result(connection.send("still up"));

            // The flow cannot move off the endpoint it uses: removing it aborts the Connection.
            connection.removeRemote(inUse);
            Throwable failure = Await.failure(connection.closed());
            assertThat(failure).isInstanceOfSatisfying(TransportServicesException.class,
                    e -> assertThat(e.reason()).isEqualTo(ErrorReason.LOCAL_ABORT));
        }
    }

    @Test
    void resolveGivesTheAddressesOfEveryEndpoint_A07() {
        Preconnection preconnection = taps.preconnection().remote(RemoteEndpoint.ofHost("localhost", 4433))
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(SecurityParameters.disabled()).build();
        ResolvedEndpoints resolved = Await.result(preconnection.resolve());
        assertThat(resolved.remoteEndpoints()).isNotEmpty().allSatisfy(remote -> {
            assertThat(remote.ipAddress()).hasValueSatisfying(address -> assertThat(address.isLoopbackAddress()).isTrue());
            assertThat(remote.port()).hasValue(4433);
        });
        assertThat(resolved.localEndpoints()).containsExactly(LocalEndpoint.ofAddress("127.0.0.1", 0));

        ResolvedEndpoints anyLocal = Await.result(taps.preconnection().remote(RemoteEndpoint.ofAddress("::1", 1))
                .security(SecurityParameters.disabled()).build().resolve());
        assertThat(anyLocal.localEndpoints()).as("every address of every interface that is up")
                .contains(LocalEndpoint.ofAddress(InetAddress.getLoopbackAddress(), 0));
        assertThat(anyLocal.remoteEndpoints()).containsExactly(RemoteEndpoint.ofAddress("::1", 1));

    }
}
