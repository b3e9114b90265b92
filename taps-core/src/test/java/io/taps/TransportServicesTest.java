package io.taps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The Transport Services system's own lifecycle (RFC 9621 §3, C-01). */
class TransportServicesTest {

    @Test
    void closeEndsEveryConnectionAndListenerItMade() {
        TransportServices taps = TransportServices.builder().eventLoopThreads(1).build();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> connection.receive());
        Await.result(listener.ready());
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                .build().initiate();
        Await.result(client.ready());

        taps.close();

        // Closed gracefully (RFC 9622 §10): both ends exchanged their FINs within the shutdown timeout.
        Await.result(client.closed());
        assertThat(listener.stop().toCompletableFuture()).isDone();
        assertThatThrownBy(() -> taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9)).build()
                .initiate())
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("closed");
    }

    @Test
    void closeFromAnEventHandlerIsRefusedInsteadOfDeadlocking() {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(connection -> { });
            Await.result(listener.ready());
            CompletableFuture<Throwable> refusal = new CompletableFuture<>();
            taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build()
                    .initiate(new ConnectionEventHandler() {
                        @Override
                        public void ready(Connection connection) {
                            try {
                                taps.close();
                                refusal.complete(null);
                            } catch (IllegalStateException expected) {
                                refusal.complete(expected);
                            }
                        }
                    });
            assertThat(Await.result(refusal)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("event loop");
        }
    }
}
