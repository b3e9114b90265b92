package io.taps.spring.client;

import io.taps.Preconnection;
import io.taps.spring.client.TapsClientConnections.ClientIdentity;
import io.taps.spring.convert.TapsMessageConverters;
import io.taps.spring.listener.TapsListenerRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.MimeType;

/**
 * Every {@link TapsClient} of the application by name, the {@code taps.clients.<name>} entries
 * auto-configuration registers (each is also a bean of that name). As a {@link SmartLifecycle} it
 * closes the clients' Connections gracefully on shutdown (RFC 9622 §10 Close: each Connection once
 * the replies it awaits have come), in {@link #PHASE}: after the {@code @TapsListener}s and web
 * servers drained, whose handlers may still call clients, and before the Transport Services
 * system closes. Connections still open after {@code spring.lifecycle.timeout-per-shutdown-phase}
 * are aborted.
 */
public final class TapsClients implements SmartLifecycle, DisposableBean {
    /** The bean name of the registry. */
    public static final String BEAN_NAME = "tapsClients";

    /** Stops after the listener registry (and Boot's web servers) in the phase below theirs. */
    public static final int PHASE = TapsListenerRegistry.DEFAULT_PHASE - 1024;

    private static final Log logger = LogFactory.getLog(TapsClients.class);

    private final TapsMessageConverters converters;

    private final @Nullable TapsClientConnections connections;

    private final Duration shutdownTimeout;

    private final ScheduledThreadPoolExecutor timer;

    private final Map<String, ProfileTapsClient> clients = Collections.synchronizedMap(new LinkedHashMap<>());

    private volatile boolean running;

    /**
     * A registry whose clients convert with {@code converters}, are recorded in {@code connections}
     * (null: not recorded) and get {@code shutdownTimeout} to close gracefully.
     */
    public TapsClients(TapsMessageConverters converters, @Nullable TapsClientConnections connections,
            Duration shutdownTimeout) {
        this.converters = converters;
        this.connections = connections;
        this.shutdownTimeout = shutdownTimeout;
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "taps-client-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Adds the client {@code name}: its Connections are initiated from the Preconnections
     * {@code preconnections} builds (called for every establishment, so a placeholder in the remote
     * endpoint is resolved anew), named after {@code profile} in meters and the actuator.
     *
     * @throws IllegalStateException when a client of that name exists
     */
    public TapsClient register(String name, String profile, Supplier<Preconnection> preconnections,
            @Nullable MimeType contentType, TapsClientOptions options) {
        return register(name, profile, preconnections, contentType, options, () -> TapsClientStatus.Remote.UNKNOWN);
    }

    /**
     * Like {@link #register(String, String, Supplier, MimeType, TapsClientOptions)}, with the Remote
     * Endpoint operators see in {@link #statuses()}: {@code remote} describes it, asked at
     * each status.
     */
    public TapsClient register(String name, String profile, Supplier<Preconnection> preconnections,
            @Nullable MimeType contentType, TapsClientOptions options, Supplier<TapsClientStatus.Remote> remote) {
        ProfileTapsClient client = new ProfileTapsClient(new ClientIdentity(name, profile), preconnections,
                this.converters, contentType, options, this.timer, this.connections, remote);
        synchronized (this.clients) {
            if (this.clients.containsKey(name)) {
                throw new IllegalStateException("a taps client named '" + name + "' exists already");
            }
            this.clients.put(name, client);
        }
        return client;
    }

    /**
     * The client {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public TapsClient get(String name) {
        TapsClient client = this.clients.get(name);
        if (client == null) {
            throw new IllegalArgumentException("no taps client '" + name + "'; configured clients: " + names()
                    + " (taps.clients.<name>)");
        }
        return client;
    }

    /** The clients' names in configuration order. */
    public Set<String> names() {
        synchronized (this.clients) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(this.clients.keySet()));
        }
    }

    /** Every client by name, in configuration order. */
    public Map<String, TapsClient> clients() {
        synchronized (this.clients) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(this.clients));
        }
    }

    /** What each client is doing now, in configuration order (for the actuator). */
    public java.util.List<TapsClientStatus> statuses() {
        synchronized (this.clients) {
            return this.clients.values().stream().map(ProfileTapsClient::status).toList();
        }
    }

    /** The Connections of client {@code name} open now (for the actuator and tests). */
    public java.util.List<io.taps.Connection> connections(String name) {
        ProfileTapsClient client = this.clients.get(name);
        return client == null ? java.util.List.of() : client.connections();
    }

    @Override
    public void start() {
        // Clients connect on first use: starting the context needs no peer to be up. After a
        // stop, the clients it closed take calls again.
        synchronized (this.clients) {
            this.clients.values().forEach(ProfileTapsClient::reopen);
        }
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        CompletableFuture<?>[] closing;
        synchronized (this.clients) {
            closing = this.clients.values().stream()
                .map(client -> client.closeGracefully().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        }
        try {
            CompletableFuture.allOf(closing).get(this.shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            abortAll();
        }
        catch (ExecutionException | TimeoutException ex) {
            logger.warn("taps clients did not close within " + this.shutdownTimeout + "; aborting their Connections");
            abortAll();
        }
    }

    private void abortAll() {
        synchronized (this.clients) {
            this.clients.values().forEach(ProfileTapsClient::abort);
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Aborts what stop() left open and ends the timer thread. */
    @Override
    public void destroy() {
        abortAll();
        this.timer.shutdownNow();
    }

    @Override
    public String toString() {
        return "TapsClients" + names();
    }
}
