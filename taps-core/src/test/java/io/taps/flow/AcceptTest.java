package io.taps.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.internal.listen.AcceptQueue;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * {@code Listener.accept()} and {@code Listener.connections()} (issue 22): Connections in arrival
 * order, a pending accept served by the next ConnectionReceived, the queue bounded and the
 * Listener's new-connection limit obeyed, the end of the Listener reported; plain JDK clients.
 */
class AcceptTest extends TapsTestSupport {

    private static Listener acceptingListener() {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen();
        Await.result(listener.ready());
        return listener;
    }

    @Test
    void acceptServesConnectionsInOrderAndAPendingAcceptGetsTheNextOne() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (Listener listener = acceptingListener()) {
            CompletionStage<Connection> pending = listener.accept();
            clients.add(connect(listener));
            Connection first = Await.result(pending);
            assertThat(first.remoteEndpoint().orElseThrow().port().getAsInt()).isEqualTo(clients.get(0).getLocalPort());

            clients.add(connect(listener));
            clients.add(connect(listener));
            Connection second = Await.result(listener.accept());
            Connection third = Await.result(listener.accept());
            assertThat(List.of(second, third)).extracting(c -> c.remoteEndpoint().orElseThrow().port().getAsInt())
                    .containsExactlyInAnyOrder(clients.get(1).getLocalPort(), clients.get(2).getLocalPort());
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void acceptObeysTheNewConnectionLimit() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (Listener listener = acceptingListener()) {
            listener.setNewConnectionLimit(2);
            for (int i = 0; i < 3; i++) {
                clients.add(connect(listener));
            }
            Await.result(listener.accept());
            Await.result(listener.accept());
            CompletionStage<Connection> third = listener.accept();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> !third.toCompletableFuture().isDone());
            assertThat(listener.newConnectionLimit()).isZero();

            listener.setNewConnectionLimit(1);
            Connection late = Await.result(third);
            assertThat(late.remoteEndpoint()).isPresent();
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void theQueueIsBounded_theListenerStopsAcceptingWhileItIsFull() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (Listener listener = acceptingListener()) {
            listener.setNewConnectionLimit(1000);
            int extra = 4;
            for (int i = 0; i < AcceptQueue.DEPTH + extra; i++) {
                clients.add(connect(listener));
            }
            // Each Connection delivered into the queue counts the limit down; the extra ones wait.
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.newConnectionLimit() == 1000 - AcceptQueue.DEPTH);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> listener.newConnectionLimit() == 1000 - AcceptQueue.DEPTH);

            Await.result(listener.accept());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> listener.newConnectionLimit() == 1000 - AcceptQueue.DEPTH - 1);
            for (int i = 0; i < AcceptQueue.DEPTH + extra - 1; i++) {
                Await.result(listener.accept());
            }
            assertThat(listener.newConnectionLimit()).isEqualTo(1000 - AcceptQueue.DEPTH - extra);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void connectionsPublisherFollowsDemandAndCompletesWhenTheListenerStops() throws Exception {
        List<Socket> clients = new ArrayList<>();
        Listener listener = acceptingListener();
        try {
            RecordingSubscriber<Connection> subscriber = new RecordingSubscriber<>();
            listener.connections().subscribe(subscriber);
            subscriber.request(2);
            for (int i = 0; i < 3; i++) {
                clients.add(connect(listener));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.items.get() == 2);
            // The third waits for demand, and accept() may take it meanwhile.
            Connection third = Await.result(listener.accept());
            assertThat(subscriber.kept).doesNotContain(third);

            CompletionStage<Connection> pending = listener.accept();
            Await.result(listener.stop());
            Await.result(subscriber.done);
            assertThat(subscriber.signals).containsExactly("onSubscribe", "onNext", "onNext", "onComplete");
            Throwable failure = Await.failure(pending);
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(Await.failure(listener.accept())).hasMessageContaining("stopped");
        } finally {
            listener.close();
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aListenerWithAHandlerRefusesAcceptWithAClearError() {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen(connection -> { })) {
            Await.result(listener.ready());
            Throwable failure = Await.failure(listener.accept());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            assertThat(failure).hasMessageContaining("Preconnection.listen()");
            RecordingSubscriber<Connection> subscriber = new RecordingSubscriber<>();
            listener.connections().subscribe(subscriber);
            assertThat(subscriber.signals).containsExactly("onSubscribe", "onError:TransportServicesException");
        }
    }

    private static Socket connect(Listener listener) throws Exception {
        Socket client = new Socket();
        client.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
        return client;
    }
}
