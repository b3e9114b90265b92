package io.taps.demo;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * A TCP echo server on taps (RFC 9622 §7.2 Listen): every byte a client sends comes back, and the
 * client's close ends the connection. Runs with the application's lifecycle.
 */
@Component
public class EchoService implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EchoService.class);

    private final TransportServices taps;
    private final int port;
    private volatile Listener listener;

    public EchoService(TransportServices taps, @Value("${demo.echo.port:7000}") int port) {
        this.taps = taps;
        this.port = port;
    }

    @Override
    public void start() {
        listener = taps.preconnection().local(LocalEndpoint.ofPort(port)).build().listen(EchoService::echo);
        try {
            listener.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception failed) {
            throw new IllegalStateException("echo listener could not start on port " + port, failed);
        }
        log.info("taps echo listener on port {} ({} over {}, TLS by {})", listener.port(), listener.protocolStack(),
                taps.ioTransport(), taps.tlsProvider());
    }

    private static void echo(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                return;
            }
            if (message.length() > 0) {
                connection.send(Message.of(message.bytes()));
            }
            if (message.endOfMessage()) {
                connection.close();
            } else {
                echo(connection);
            }
        });
    }

    /** The bound port, for tests that start the demo on an ephemeral one. */
    public int port() {
        return listener == null ? -1 : listener.port();
    }

    @Override
    public void stop() {
        Listener current = listener;
        if (current != null) {
            current.stop().toCompletableFuture().orTimeout(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> null).join();
        }
    }

    @Override
    public boolean isRunning() {
        return listener != null;
    }
}
