package io.taps.spring.slice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Message;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.boot.test.autoconfigure.TapsTest;
import io.taps.spring.listener.LocalTapsPort;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;

/**
 * {@code @TapsTest} slice with real listeners on loopback and a real taps client built from the
 * same profiles.
 */
@TapsTest(properties = { "taps.event-loop-threads=1", "taps.listener.execution=platform",
        "taps.profiles.default.security.enabled=false",
        "taps.profiles.framed.security.enabled=false",
        "taps.profiles.framed.selection.reliability=require", "taps.profiles.framed.framers=length-prefix",
        "taps.profiles.counted.security.enabled=false",
        "taps.profiles.counted.framers=counting", "echo.port=0" })
class TapsListenerSliceTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalTapsPort("echo")
    int echoPort;

    @Value("${local.taps.echo.port}")
    int echoPortFromValue;

    @Autowired
    TapsProfiles profiles;

    @Autowired
    TapsListenerRegistry registry;

    @Autowired
    Handlers handlers;

    @Autowired
    RecordingErrorHandler errorHandler;

    @Autowired
    ApplicationContext context;

    private final List<Connection> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        this.clients.forEach(Connection::close);
    }

    @Test
    void sliceLoadsTheTapsBeansAndTheListenersButNotOtherComponents() {
        assertThat(this.context.getBeanNamesForType(PlainService.class)).isEmpty();
        assertThat(this.context.getBeanNamesForType(Handlers.class)).hasSize(1);
        assertThat(this.context.getBeanNamesForType(CountingFramers.class)).hasSize(1);
    }

    @Test
    void localTapsPortInjectsTheBoundPort() {
        assertThat(this.echoPort).isPositive().isEqualTo(this.echoPortFromValue);
        assertThat(this.registry.listener("echo")).hasValueSatisfying(echo -> assertThat(echo.port()).isEqualTo(this.echoPort));
    }

    @Test
    void registryListsTheRunningListenersWithProfileAndAddresses() {
        assertThat(this.registry.listeners()).extracting(RunningTapsListener::id)
            .contains("echo", "bytes", "describe", "buffer", "failing", "ordered", "counted", "plain");
        RunningTapsListener echo = this.registry.listener("echo").orElseThrow();
        assertThat(echo.profile()).isEqualTo("framed");
        assertThat(echo.localAddresses()).contains(new InetSocketAddress("127.0.0.1", this.echoPort));
        assertThat(echo.listener().port()).isEqualTo(this.echoPort);
        assertThat(echo.protocolStack()).isEqualTo("TCP");
        assertThat(this.registry.listener("plain").orElseThrow().profile()).isEqualTo("default");
    }

    @Test
    void stringArgumentAndReturnValueEchoOverTheProfilesFramer() throws Exception {
        Connection client = connect("framed", this.echoPort);
        assertThat(exchange(client, "hello")).isEqualTo("echo: hello");
        assertThat(exchange(client, "grüße")).isEqualTo("echo: grüße");
        assertThat(this.handlers.threads).allSatisfy(name -> assertThat(name).startsWith("taps-handler-"));
    }

    @Test
    void byteArrayArgumentAndReturnValue() throws Exception {
        Connection client = connect("framed", port("bytes"));
        assertThat(exchange(client, "abc")).isEqualTo("cba");
    }

    @Test
    void byteBufferMessageContextMessageAndConnectionArguments() throws Exception {
        Connection client = connect("framed", port("describe"));
        assertThat(exchange(client, "xyz")).isEqualTo("3|true|true|TCP|xyz");
        Connection other = connect("framed", port("buffer"));
        assertThat(exchange(other, "shout")).isEqualTo("SHOUT");
    }

    @Test
    void connectionCallbacksSeeReceivedAndClosed() throws Exception {
        this.handlers.events.clear();
        Connection client = connect("framed", this.echoPort);
        assertThat(exchange(client, "hi")).isEqualTo("echo: hi");
        assertThat(this.handlers.events).containsExactly("received:true");
        client.close();
        await().atMost(WAIT).untilAsserted(() -> assertThat(this.handlers.events)
            .containsExactly("received:true", "closed:graceful"));
        await().atMost(WAIT).until(() -> this.registry.listener("echo").orElseThrow().activeConnections() == 0);
    }

    @Test
    void handlerExceptionGoesToTheErrorHandlerAndTheConnectionKeepsServing() throws Exception {
        this.errorHandler.errors.clear();
        Connection client = connect("framed", port("failing"));
        client.send(Message.of("boom")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> !this.errorHandler.errors.isEmpty());
        assertThat(this.errorHandler.errors).containsExactly("failing:boom:handler exploded");
        // the same connection still gets answers, and no reply was sent for the failed message
        assertThat(exchange(client, "next")).isEqualTo("ok: next");
        assertThat(connect("framed", port("failing"))).satisfies(second -> assertThat(exchange(second, "again"))
            .isEqualTo("ok: again"));
    }

    @Test
    void completionStageRepliesKeepTheOrderOfTheMessages() throws Exception {
        Connection client = connect("framed", port("ordered"));
        List<CompletionStage<Message>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            client.send(Message.of(Integer.toString(i)));
        }
        for (int i = 0; i < 40; i++) {
            replies.add(client.receive());
        }
        List<String> texts = new ArrayList<>();
        for (CompletionStage<Message> reply : replies) {
            texts.add(reply.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).asString());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add("#" + i);
        }
        assertThat(texts).isEqualTo(expected);
    }

    @Test
    void everyAcceptedConnectionAsksTheTapsFramerBeanForItsFramer() throws Exception {
        int before = CountingFramers.ASKED.get();
        for (int i = 0; i < 3; i++) {
            Connection client = connect("framed", port("counted"));
            assertThat(exchange(client, "four")).isEqualTo("4");
        }
        assertThat(CountingFramers.ASKED.get()).as("framers asked of the bean").isEqualTo(before + 3);
    }

    @Test
    void streamWithoutFramerDeliversTheBytesThatArrived() throws Exception {
        Connection client = connect("default", port("plain"));
        client.send(Message.of("quiet")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        StringBuilder received = new StringBuilder();
        while (received.length() < 5) {
            received.append(client.receive().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).asString());
        }
        assertThat(received.toString()).isEqualTo("QUIET");
    }

    private int port(String id) {
        return this.registry.listener(id).orElseThrow().port();
    }

    private Connection connect(String profile, int port) throws Exception {
        Connection connection = this.profiles.preconnection(profile)
            .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
            .build()
            .initiate();
        this.clients.add(connection);
        connection.ready().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return connection;
    }

    private static String exchange(Connection client, String text) throws Exception {
        client.send(Message.of(text.getBytes(StandardCharsets.UTF_8)));
        return client.receive().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).asString();
    }
}
