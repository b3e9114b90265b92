package io.taps.spring.boot.autoconfigure;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A length-prefix framed echo over real loopback sockets, for the metrics and endpoint tests. */
public final class LoopbackEcho {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private LoopbackEcho() {
    }

    /** A bound echo Listener on 127.0.0.1, optionally with TLS. */
    public static Listener listen(TransportServices taps, @Nullable SecurityParameters security) {
        var builder = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0));
        if (security != null) {
            builder.security(security);
        }
        Listener listener = builder.build().listen(LoopbackEcho::echo);
        await(listener.ready());
        return listener;
    }

    /** A Ready client Connection to {@code listener}. */
    public static Connection connect(TransportServices taps, Listener listener, @Nullable SecurityParameters security) {
        var builder = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()));
        if (security != null) {
            builder.security(security);
        }
        Connection connection = builder.build().initiate();
        await(connection.ready());
        return connection;
    }

    /** Sends one Message per size and waits for each echo. */
    public static void exchange(Connection connection, int... sizes) {
        for (int size : sizes) {
            await(connection.send(new byte[size]));
            Message echoed = await(connection.receive());
            if (echoed.length() != size) {
                throw new AssertionError("echo of " + size + " bytes came back with " + echoed.length());
            }
        }
    }

    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception failed) {
            throw new AssertionError("did not complete in " + WAIT + ": " + failed, failed);
        }
    }

    private static void echo(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                return;
            }
            if (message.length() > 0) {
                connection.send(Message.of(message.bytes()));
            }
            if (message.endOfMessage() && message.context().isFinal()) {
                connection.close();
            } else {
                echo(connection);
            }
        });
    }
}
