package io.taps.spring.boot.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 22, item 6: taps' java.util.concurrent.Flow publishers adapted to Reactor with
 * {@code JdkFlowAdapter}, in a real Spring context on real sockets. A reactive client builds its
 * outbound stream as a Flux and sends it with {@code sendAll}; a reactive handler takes the
 * Listener's Connections and each Connection's Messages as Fluxes, with Reactor's own operators
 * ({@code limitRate}, {@code take}) setting the demand taps honours. taps-core does not depend on
 * Reactor: it is a test dependency of this module only.
 */
class ReactorFlowAdapterTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=2");

    @Test
    void aFluxIsSentWithSendAllAndReceivedAsAFluxWithReactorsDemand() {
        contextRunner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .security(SecurityParameters.disabled()).build().listen();
            listener.ready().toCompletableFuture().get();

            // The reactive handler: the first Connection, its Messages hashed as they come, 4 at a time.
            Mono<byte[]> receivedDigest = JdkFlowAdapter.flowPublisherToFlux(listener.connections())
                    .next()
                    .flatMapMany(connection -> JdkFlowAdapter.flowPublisherToFlux(connection.messages()))
                    .limitRate(4)
                    .reduce(sha256(), (digest, message) -> {
                        digest.update(message.asByteBuffer());
                        return digest;
                    })
                    .map(MessageDigest::digest)
                    .cache();
            receivedDigest.subscribe();

            // The reactive client: 32 MiB as a Flux of 64 KiB Messages, then the end of stream.
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(SecurityParameters.disabled()).build().initiate();
            MessageDigest sentDigest = sha256();
            Flux<Message> outbound = Flux.range(0, 512).map(i -> {
                byte[] chunk = new byte[64 * 1024];
                new Random(i).nextBytes(chunk);
                sentDigest.update(chunk);
                return Message.wrap(chunk);
            });
            Long sent = Mono.fromCompletionStage(client.ready())
                    .then(Mono.fromCompletionStage(() -> client.sendAll(JdkFlowAdapter.publisherToFlowPublisher(outbound))))
                    .flatMap(bytes -> Mono.fromCompletionStage(client.sendFinal()).thenReturn(bytes))
                    .block(Duration.ofSeconds(60));

            assertThat(sent).isEqualTo(512L * 64 * 1024);
            assertThat(receivedDigest.block(Duration.ofSeconds(60))).isEqualTo(sentDigest.digest());
            client.close();
            listener.close();
        });
    }

    @Test
    void theListenersConnectionsAsAFluxTakeOnlyWhatIsRequested() {
        contextRunner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .security(SecurityParameters.disabled()).build().listen();
            listener.ready().toCompletableFuture().get();
            List<Connection> clients = Flux.range(0, 3)
                    .map(i -> taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                            .security(SecurityParameters.disabled()).build().initiate())
                    .collectList().block();

            List<Connection> firstTwo = JdkFlowAdapter.flowPublisherToFlux(listener.connections())
                    .take(2, true)
                    .collectList()
                    .block(Duration.ofSeconds(20));

            assertThat(firstTwo).hasSize(2);
            // take(2) cancelled after two: the third stays queued for the next taker.
            Connection third = listener.accept().toCompletableFuture().get();
            assertThat(firstTwo).doesNotContain(third);
            clients.forEach(Connection::close);
            listener.close();
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
