package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What ending a Connection costs (issue 21): the engine and the RTT sampler are both told of its
 * end by callbacks, without making closed()'s future and a stage per Connection, and an abort's
 * error, raised on the event loop, fills no stack trace.
 */
class ConnectionEndCostTest extends TapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TapsConnection connect(Listener listener) {
        Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build()
                .initiate(new ConnectionEventHandler() { });
        Await.result(connection.ready(), WAIT);
        return (TapsConnection) connection;
    }

    private Listener listener() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(connection -> { });
        Await.result(listener.ready(), WAIT);
        return listener;
    }

    @Test
    void everyoneWatchingTheEndIsToldOnce() {
        Listener listener = listener();
        TapsConnection connection = connect(listener);
        List<String> told = new CopyOnWriteArrayList<>();
        // The engine watches already (it tracks every Connection); three more.
        connection.whenClosed(ended -> told.add("first"));
        connection.whenClosed(ended -> told.add("second"));
        connection.whenClosed(ended -> told.add("third"));
        connection.abort();
        Awaitility.await().atMost(WAIT).until(() -> told.size() >= 3);
        assertThat(told).containsExactlyInAnyOrder("first", "second", "third");
        // Watching an ended Connection is told at once.
        connection.whenClosed(ended -> told.add("late"));
        assertThat(told).contains("late").hasSize(4);
        listener.stop();
    }

    @Test
    void anAbortsErrorHasNoStackTraceOfItsOwn() {
        Listener listener = listener();
        TapsConnection connection = connect(listener);
        connection.abort();
        Throwable failure = catchThrowable(() -> Await.result(connection.closed(), WAIT));
        while (!(failure instanceof TransportServicesException) && failure != null) {
            failure = failure.getCause();
        }
        assertThat(failure).isInstanceOf(TransportServicesException.class);
        assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.LOCAL_ABORT);
        assertThat(failure.getMessage()).contains("aborted");
        assertThat(failure.getStackTrace()).as("the event loop's frames, filled per aborted Connection").isEmpty();
        listener.stop();
    }
}
