package io.taps.internal.stack;

import static io.taps.properties.Property.ACTIVE_READ_BEFORE_SEND;
import static io.taps.properties.Property.CONGESTION_CONTROL;
import static io.taps.properties.Property.FULL_CHECKSUM_RECV;
import static io.taps.properties.Property.FULL_CHECKSUM_SEND;
import static io.taps.properties.Property.KEEP_ALIVE;
import static io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES;
import static io.taps.properties.Property.PRESERVE_ORDER;
import static io.taps.properties.Property.RELIABILITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.RacingConfig;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.spi.Support;
import io.taps.security.SecurityParameters;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackContext;
import io.taps.testing.Await;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A built-in stream stack opens its channel the way Netty's Bootstrap does, without a Bootstrap
 * per attempt (issue 21): the options are on the socket, the connect works, and every failure
 * (the channel cannot be made, cannot be registered, the connect is refused) fails the attempt with
 * its own cause and leaves no channel open.
 */
class DirectConnectTest {
    private static final String NAME = "TCP/direct-test";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** TCP's pipeline on sockets the test opens, and records, with {@code sockets}. */
    private static final class RecordingOpener implements SocketOpener {
        final List<Channel> opened = new CopyOnWriteArrayList<>();
        final List<StackTraceElement[]> openedFrom = new CopyOnWriteArrayList<>();
        private final Function<StackContext, Channel> sockets;

        RecordingOpener(Function<StackContext, Channel> sockets) {
            this.sockets = sockets;
        }

        @Override
        public Channel client(StackContext context, InetSocketAddress remote) {
            openedFrom.add(new Throwable().getStackTrace());
            Channel channel = sockets.apply(context);
            opened.add(channel);
            return channel;
        }

        @Override
        public ServerChannel server(StackContext context, InetSocketAddress local) {
            return (ServerChannel) ChannelFactories.of(context.serverSocketChannelType()).newChannel();
        }
    }

    private static ChannelStack stack(SocketOpener sockets) {
        StackCapabilities capabilities = StackCapabilities.builder(NAME).secure(false).byteStream(true)
                .propertyNamespace("tcp")
                .support(RELIABILITY, Support.ALWAYS)
                .support(PRESERVE_MSG_BOUNDARIES, Support.NEVER)
                .support(PRESERVE_ORDER, Support.ALWAYS)
                .support(FULL_CHECKSUM_SEND, Support.ALWAYS)
                .support(FULL_CHECKSUM_RECV, Support.ALWAYS)
                .support(CONGESTION_CONTROL, Support.ALWAYS)
                .support(KEEP_ALIVE, Support.OPTIONAL)
                .support(ACTIVE_READ_BEFORE_SEND, Support.OPTIONAL)
                .build();
        return ChannelStack.stream(StackKind.TCP, capabilities, sockets, ChannelLink::new);
    }

    private static TransportServices taps(SocketOpener sockets) {
        // The built-in TCP starts only long after the test's stack, which ranks first: it decides.
        RacingConfig patient = RacingConfig.builder().maximumAttemptDelay(Duration.ofSeconds(30))
                .protocolDelay(Duration.ofSeconds(30)).build();
        return TransportServices.builder().eventLoopThreads(2).racing(patient).protocol(stack(sockets)).build();
    }

    private static Preconnection cleartext(TransportServices taps, int port) {
        return taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build();
    }

    private static Channel ownSocket(StackContext context) {
        return ChannelFactories.of(context.socketChannelType()).newChannel();
    }

    /** The establishment's failure: this stack's attempt cause, unwrapped from its typed failure. */
    private static Throwable attemptCause(Connection connection) {
        try {
            Await.result(connection.ready(), WAIT);
        } catch (CompletionException | TransportServicesException failed) {
            Throwable error = failed instanceof CompletionException ? failed.getCause() : failed;
            assertThat(error).isInstanceOf(TransportServicesException.class);
            List<Throwable> causes = ((TransportServicesException) error).causes();
            return causes.stream().filter(cause -> cause.getMessage().contains(NAME)).findFirst()
                    .map(Throwable::getCause).orElseThrow(() -> new AssertionError("no failure of " + NAME + " in " + causes));
        }
        throw new AssertionError("the connection became ready");
    }

    @Test
    void aConnectOpensItsChannelWithoutABootstrapAndSetsTheStacksOptions() {
        RecordingOpener sockets = new RecordingOpener(DirectConnectTest::ownSocket);
        try (TransportServices taps = taps(sockets)) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                    .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(connection -> connection.receive().thenAccept(
                            message -> connection.send(Message.of(message.bytes()))));
            Await.result(listener.ready());
            Connection connection = cleartext(taps, listener.port()).initiate();
            Await.result(connection.ready(), WAIT);
            assertThat(connection.establishmentReport().winner()).get()
                    .extracting(EstablishmentReport.Candidate::stack).isEqualTo(NAME);
            Await.result(connection.send("direct"));
            assertThat(Await.result(connection.receive(), WAIT).asString()).isEqualTo("direct");

            assertThat(sockets.openedFrom).hasSize(1);
            assertThat(Arrays.stream(sockets.openedFrom.get(0)).map(StackTraceElement::getClassName))
                    .as("the frames that made the attempt's channel")
                    .noneMatch(frame -> frame.startsWith("io.netty.bootstrap."));
            Channel channel = sockets.opened.get(0);
            assertThat(channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
            assertThat(channel.config().getOption(ChannelOption.WRITE_BUFFER_WATER_MARK))
                    .isSameAs(StackConnector.WATER_MARK);
            assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            assertThat(channel.config().getOption(ChannelOption.CONNECT_TIMEOUT_MILLIS)).isPositive();
            connection.close();
            Await.result(connection.closed(), WAIT);
            listener.stop();
        }
    }

    @Test
    void aRefusedConnectFailsTheAttemptWithTheRefusalAndClosesTheChannel() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0)) {
            closedPort = gone.getLocalPort();
        }
        RecordingOpener sockets = new RecordingOpener(DirectConnectTest::ownSocket);
        try (TransportServices taps = taps(sockets)) {
            Connection connection = cleartext(taps, closedPort).initiate();
            assertThat(attemptCause(connection)).isInstanceOf(java.net.ConnectException.class);
            Awaitility.await().atMost(WAIT).until(() -> !sockets.opened.get(0).isOpen());
        }
    }

    @Test
    void aSocketThatCannotBeMadeFailsTheAttemptWithItsException() {
        IllegalStateException tooMany = new IllegalStateException("too many open files (test)");
        RecordingOpener sockets = new RecordingOpener(context -> {
            throw tooMany;
        });
        try (TransportServices taps = taps(sockets)) {
            Connection connection = cleartext(taps, 9).initiate();
            assertThat(attemptCause(connection)).isSameAs(tooMany);
        }
    }

    @Test
    void aChannelTheLoopCannotRegisterFailsTheAttemptAndIsClosed() {
        try (TransportServices probe = TransportServices.builder().eventLoopThreads(1).build()) {
            assumeTrue("epoll".equals(probe.ioTransport()), "needs a channel type the loop does not take");
        }
        // An NIO socket on an epoll loop: registration fails ("incompatible event loop type").
        RecordingOpener sockets = new RecordingOpener(context -> new NioSocketChannel());
        try (TransportServices taps = taps(sockets)) {
            Connection connection = cleartext(taps, 9).initiate();
            assertThat(attemptCause(connection)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("incompatible event loop");
            assertThat(sockets.opened.get(0).isOpen()).as("the unregistered channel is closed").isFalse();
        }
    }

    @Test
    void abortingWhileTheAttemptRunsClosesItsChannel() {
        RecordingOpener sockets = new RecordingOpener(DirectConnectTest::ownSocket);
        try (TransportServices taps = taps(sockets)) {
            // TEST-NET-1 (RFC 5737): nothing answers, so the attempt is still running when aborted
            // (or, where the host has no route, it has failed and closed its channel already).
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("192.0.2.1", 9)).build().initiate();
            Awaitility.await().atMost(WAIT).until(() -> !sockets.opened.isEmpty());
            connection.abort();
            Awaitility.await().atMost(WAIT).until(() -> !sockets.opened.get(0).isOpen());
        }
    }
}
