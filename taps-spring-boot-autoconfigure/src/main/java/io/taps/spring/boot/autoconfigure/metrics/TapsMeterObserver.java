package io.taps.spring.boot.autoconfigure.metrics;

import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.DIRECTION;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.ERROR_KIND;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.ERROR_REASON;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.LISTENER_ID;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.OUTCOME;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.PROFILE;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.PROTOCOL_STACK;
import static io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys.ROLE;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
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
 * application handlers are never wrapped. Tag keys are those of {@link TapsTagKeys} (the table in
 * docs/observability.md); values are low-cardinality only: never addresses or ports. A
 * Connection's identity tags are {@code taps.profile}, {@code taps.listener.id},
 * {@code taps.protocol.stack} and {@code taps.role} ({@code initiate}|{@code listen}).
 *
 * <ul>
 * <li>{@code taps.connections.active} (gauge) and {@code taps.connections} (counter, every
 * Connection that became Ready): the identity tags, with {@code taps.client} (the
 * {@code taps.clients} client that initiated it, else {@code none});</li>
 * <li>{@code taps.bytes} (counter, bytes) and {@code taps.messages} (counter): the identity tags and
 * {@code taps.direction} ({@code in}|{@code out}); a ReceivedPartial counts as a message in, the
 * peer's end of stream (an empty final Message) does not;</li>
 * <li>{@code taps.establishment} (timer, Initiate to Ready or EstablishmentError, RFC 9622
 * §7.1): {@code taps.outcome} ({@code success}|{@code failure}), {@code taps.protocol.stack},
 * {@code taps.profile};</li>
 * <li>{@code taps.racing.attempts} (counter, RFC 9623 §4.3): {@code taps.outcome}
 * ({@code succeeded}|{@code failed}|{@code cancelled}|{@code running}), {@code taps.profile};</li>
 * <li>{@code taps.errors} (counter): {@code taps.error.reason} (the RFC 9622 error name),
 * {@code taps.error.kind} ({@code establishment}|{@code connection}|{@code send}|{@code receive}),
 * {@code taps.profile}, {@code taps.listener.id};</li>
 * <li>{@code taps.path.changes} (counter, PathChange events, RFC 9622 §8.3.2):
 * {@code taps.protocol.stack}, {@code taps.profile}, {@code taps.listener.id}.</li>
 * </ul>
 *
 * <p>The message paths look up the Connection's pre-registered counters in a concurrent map and
 * increment them: no meter lookup, no allocation.
 */
public final class TapsMeterObserver implements TransportObserver {
    private static final String INITIATE = "initiate";
    private static final String LISTEN = "listen";
    /** The tag naming the {@code taps.clients.<name>} client of an initiated Connection ({@code none} otherwise). */
    public static final String CLIENT_TAG = "taps.client";

    private final MeterRegistry registry;
    private final ConnectionProfiles profiles;
    private final ConcurrentMap<Identity, IdentityMeters> meters = new ConcurrentHashMap<>();
    private final ConcurrentMap<Connection, IdentityMeters> open = new ConcurrentHashMap<>();

    public TapsMeterObserver(MeterRegistry registry, ConnectionProfiles profiles) {
        this.registry = registry;
        this.profiles = profiles;
    }

    @Override
    public void establishmentFinished(Connection connection, EstablishmentResult result) {
        String stack = result.protocolStack().orElse(TapsTagKeys.NONE);
        String profile = profiles.profileOf(connection, null);
        Timer.builder("taps.establishment").description("Time from Initiate to Ready or EstablishmentError")
                .tags(OUTCOME, result.succeeded() ? "success" : "failure", PROTOCOL_STACK, stack, PROFILE, profile)
                .register(registry).record(result.duration());
        for (Map.Entry<EstablishmentReport.Outcome, Integer> outcome : result.attemptOutcomes().entrySet()) {
            Counter.builder("taps.racing.attempts").description("Connection attempts raced, by outcome")
                    .tags(OUTCOME, outcome.getKey().name().toLowerCase(Locale.ROOT), PROFILE, profile)
                    .register(registry).increment(outcome.getValue());
        }
        if (result.succeeded()) {
            opened(connection, new Identity(profile, profiles.listenerIdOf(connection, null), stack, INITIATE,
                    profiles.clientOf(connection, null)));
        }
    }

    @Override
    public void connectionReceived(Listener listener, Connection connection) {
        opened(connection, new Identity(profiles.profileOf(connection, listener),
                profiles.listenerIdOf(connection, listener),
                connection.protocolStack().orElse(listener.protocolStack()), LISTEN,
                profiles.clientOf(connection, listener)));
    }

    private void opened(Connection connection, Identity identity) {
        IdentityMeters counters = meters.computeIfAbsent(identity, IdentityMeters::new);
        counters.connections.increment();
        counters.active.incrementAndGet();
        open.put(connection, counters);
        // A Listener may deliver a Connection it held back after the peer closed it; the core then
        // reported its Closed before this. Undo here, or the gauge counts it and the map keeps it
        // forever; remove() lets exactly one of this and connectionClosed decrement.
        if (connection.closed().toCompletableFuture().isDone() && open.remove(connection, counters)) {
            counters.active.decrementAndGet();
        }
    }

    @Override
    public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
        IdentityMeters counters = open.remove(connection);
        if (counters != null) {
            counters.active.decrementAndGet();
        }
    }

    @Override
    public void messageSent(Connection connection, int bytes) {
        IdentityMeters counters = metersOf(connection);
        counters.bytesOut.increment(bytes);
        counters.messagesOut.increment();
    }

    @Override
    public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
        IdentityMeters counters = metersOf(connection);
        counters.bytesIn.increment(bytes);
        counters.messagesIn.increment();
    }

    @Override
    public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
        Identity identity = identityOf(connection);
        Counter.builder("taps.errors").description("Error events of taps Connections")
                .tags(ERROR_REASON, reason.rfcName(), ERROR_KIND, kind.name().toLowerCase(Locale.ROOT), PROFILE,
                        identity.profile, LISTENER_ID, identity.listenerId)
                .register(registry).increment();
    }

    @Override
    public void pathChange(Connection connection) {
        Identity identity = identityOf(connection);
        Counter.builder("taps.path.changes").description("PathChange events raised on taps Connections")
                .tags(PROTOCOL_STACK, connection.protocolStack().orElse(TapsTagKeys.NONE), PROFILE, identity.profile,
                        LISTENER_ID, identity.listenerId)
                .register(registry).increment();
    }

    /**
     * The counters of an open Connection; for one that is not Ready yet (0-RTT data sent before
     * Ready) or already Closed, those of its initiated identity, found without remembering it.
     */
    private IdentityMeters metersOf(Connection connection) {
        IdentityMeters counters = open.get(connection);
        return counters != null ? counters : meters.computeIfAbsent(initiatedIdentity(connection), IdentityMeters::new);
    }

    /** The identity of an open Connection, else that of an initiated one (a failed establishment). */
    private Identity identityOf(Connection connection) {
        IdentityMeters counters = open.get(connection);
        return counters != null ? counters.identity : initiatedIdentity(connection);
    }

    private Identity initiatedIdentity(Connection connection) {
        return new Identity(profiles.profileOf(connection, null), profiles.listenerIdOf(connection, null),
                connection.protocolStack().orElse(TapsTagKeys.NONE), INITIATE, profiles.clientOf(connection, null));
    }

    private record Identity(String profile, String listenerId, String stack, String role, String client) {
        Tags tags() {
            return Tags.of(PROFILE, profile, LISTENER_ID, listenerId, PROTOCOL_STACK, stack, ROLE, role, CLIENT_TAG,
                    client);
        }
    }

    /** The meters of one identity, registered once when the first Connection of it opens. */
    private final class IdentityMeters {
        final Identity identity;
        final AtomicLong active = new AtomicLong();
        final Counter connections;
        final Counter bytesIn;
        final Counter bytesOut;
        final Counter messagesIn;
        final Counter messagesOut;

        IdentityMeters(Identity identity) {
            this.identity = identity;
            Tags tags = identity.tags();
            Gauge.builder("taps.connections.active", active, AtomicLong::get)
                    .description("Connections that are Ready and not Closed yet").tags(tags).register(registry);
            this.connections = Counter.builder("taps.connections")
                    .description("Connections that became Ready or were accepted").tags(tags).register(registry);
            this.bytesIn = bytes(tags, "in");
            this.bytesOut = bytes(tags, "out");
            this.messagesIn = messages(tags, "in");
            this.messagesOut = messages(tags, "out");
        }

        private Counter bytes(Tags tags, String direction) {
            return Counter.builder("taps.bytes").description("Message bytes sent and received by taps Connections")
                    .baseUnit(BaseUnits.BYTES).tags(tags).tag(DIRECTION, direction).register(registry);
        }

        private Counter messages(Tags tags, String direction) {
            return Counter.builder("taps.messages").description("Messages sent (Sent) and received (Received or"
                    + " ReceivedPartial, not the peer's end of stream) by taps Connections").tags(tags)
                    .tag(DIRECTION, direction).register(registry);
        }
    }
}
