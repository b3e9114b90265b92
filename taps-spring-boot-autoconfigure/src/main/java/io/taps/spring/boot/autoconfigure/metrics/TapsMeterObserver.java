package io.taps.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
import io.taps.Listener;
import io.taps.monitor.TransportObserver;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Records taps activity as Micrometer meters through the core {@link TransportObserver} hook, so
 * application handlers are never wrapped. Tags are low-cardinality only: profile, protocol stack,
 * role, outcome, direction, error reason and kind; never addresses or ports.
 *
 * <ul>
 * <li>{@code taps.connections.active} (gauge) and {@code taps.connections} (counter, every
 * Connection that became Ready): tags {@code profile}, {@code stack}, {@code role}
 * ({@code initiate}|{@code listen}) and {@code taps.client} (the {@code taps.clients} client that
 * initiated it, else {@code none});</li>
 * <li>{@code taps.establishment} (timer, Initiate to Ready or EstablishmentError, RFC 9622
 * §7.1): tags {@code outcome} ({@code success}|{@code failure}), {@code stack};</li>
 * <li>{@code taps.racing.attempts} (counter, RFC 9623 §4.3): tag {@code outcome}
 * ({@code succeeded}|{@code failed}|{@code cancelled}|{@code running});</li>
 * <li>{@code taps.bytes} (counter, bytes) and {@code taps.messages} (counter): tag
 * {@code direction} ({@code in}|{@code out}); a ReceivedPartial counts as a message in;</li>
 * <li>{@code taps.errors} (counter): tags {@code reason} (the RFC 9622 error name) and
 * {@code kind} ({@code establishment}|{@code connection}|{@code send}|{@code receive});</li>
 * <li>{@code taps.path.changes} (counter, PathChange events, RFC 9622 §8.3.2): tag {@code stack}.</li>
 * </ul>
 *
 * <p>The message paths only increment pre-registered counters: no lookup, no allocation.
 */
public final class TapsMeterObserver implements TransportObserver {
    /** The tag naming the {@code taps.clients.<name>} client of an initiated Connection ({@code none} otherwise). */
    public static final String CLIENT_TAG = "taps.client";

    private final MeterRegistry registry;
    private final ConnectionProfiles profiles;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter messagesIn;
    private final Counter messagesOut;
    private final ConcurrentMap<ConnectionKey, AtomicLong> active = new ConcurrentHashMap<>();
    private final ConcurrentMap<Connection, ConnectionKey> open = new ConcurrentHashMap<>();

    public TapsMeterObserver(MeterRegistry registry, ConnectionProfiles profiles) {
        this.registry = registry;
        this.profiles = profiles;
        this.bytesIn = bytes("in");
        this.bytesOut = bytes("out");
        this.messagesIn = messages("in");
        this.messagesOut = messages("out");
    }

    private Counter bytes(String direction) {
        return Counter.builder("taps.bytes").description("Message bytes sent and received by taps Connections")
                .baseUnit(BaseUnits.BYTES).tag("direction", direction).register(registry);
    }

    private Counter messages(String direction) {
        return Counter.builder("taps.messages").description("Messages sent (Sent) and received (Received or"
                + " ReceivedPartial) by taps Connections").tag("direction", direction).register(registry);
    }

    @Override
    public void establishmentFinished(Connection connection, EstablishmentResult result) {
        String stack = result.protocolStack().orElse(ConnectionProfiles.UNKNOWN);
        Timer.builder("taps.establishment").description("Time from Initiate to Ready or EstablishmentError")
                .tag("outcome", result.succeeded() ? "success" : "failure").tag("stack", stack)
                .register(registry).record(result.duration());
        for (Map.Entry<EstablishmentReport.Outcome, Integer> outcome : result.attemptOutcomes().entrySet()) {
            Counter.builder("taps.racing.attempts").description("Connection attempts raced, by outcome")
                    .tag("outcome", outcome.getKey().name().toLowerCase(Locale.ROOT)).register(registry)
                    .increment(outcome.getValue());
        }
        if (result.succeeded()) {
            opened(connection, null, stack, "initiate");
        }
    }

    @Override
    public void connectionReceived(Listener listener, Connection connection) {
        opened(connection, listener, connection.protocolStack().orElse(listener.protocolStack()), "listen");
    }

    private void opened(Connection connection, @Nullable Listener listener, String stack, String role) {
        ConnectionKey key = new ConnectionKey(profiles.profileOf(connection, listener), stack, role,
                profiles.clientOf(connection, listener));
        Counter.builder("taps.connections").description("Connections that became Ready or were accepted")
                .tags("profile", key.profile, "stack", key.stack, "role", key.role).tag(CLIENT_TAG, key.client)
                .register(registry).increment();
        AtomicLong count = active.computeIfAbsent(key, this::activeGauge);
        count.incrementAndGet();
        open.put(connection, key);
        // A Listener may deliver a Connection it held back after the peer closed it; the core then
        // reported its Closed before this. Undo here, or the gauge counts it and the map keeps it
        // forever; remove() lets exactly one of this and connectionClosed decrement.
        if (connection.closed().toCompletableFuture().isDone() && open.remove(connection, key)) {
            count.decrementAndGet();
        }
    }

    private AtomicLong activeGauge(ConnectionKey key) {
        AtomicLong count = new AtomicLong();
        Gauge.builder("taps.connections.active", count, AtomicLong::get)
                .description("Connections that are Ready and not Closed yet")
                .tags("profile", key.profile, "stack", key.stack, "role", key.role).tag(CLIENT_TAG, key.client)
                .register(registry);
        return count;
    }

    @Override
    public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
        ConnectionKey key = open.remove(connection);
        if (key != null) {
            active.get(key).decrementAndGet();
        }
    }

    @Override
    public void messageSent(Connection connection, int bytes) {
        bytesOut.increment(bytes);
        messagesOut.increment();
    }

    @Override
    public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
        bytesIn.increment(bytes);
        messagesIn.increment();
    }

    @Override
    public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
        Counter.builder("taps.errors").description("Error events of taps Connections")
                .tags("reason", reason.rfcName(), "kind", kind.name().toLowerCase(Locale.ROOT)).register(registry)
                .increment();
    }

    @Override
    public void pathChange(Connection connection) {
        Counter.builder("taps.path.changes").description("PathChange events raised on taps Connections")
                .tag("stack", connection.protocolStack().orElse("none")).register(registry).increment();
    }

    private record ConnectionKey(String profile, String stack, String role, String client) {
    }
}
