package io.taps.internal.group;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Clone (RFC 9622 §7.4) once the new member exists: it joins the original's group (or is refused
 * by {@code groupConnLimit}), takes the entangled overrides, waits for the original to be Ready,
 * and has the group's {@link CloneSupport} open its transport, or fails it with NotCloneable.
 */
public final class CloneCoordinator {
    /** Establishment bound of a clone when connTimeout is not set (as for Initiate). */
    private static final Duration DEFAULT_CLONE_TIMEOUT = Duration.ofSeconds(30);

    private CloneCoordinator() {
    }

    /** Refuses overrides that would change a Selection Property: a clone uses the original's stack. */
    public static void checkOverrides(TransportProperties original, Map<Property<?>, Object> overridden) {
        for (Map.Entry<Property<?>, Object> entry : overridden.entrySet()) {
            Property<?> property = entry.getKey();
            if (property.kind() == PropertyKind.SELECTION
                    && !Objects.equals(property.convert(entry.getValue()), original.get(property))) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "selection property '"
                        + property.name() + "' cannot change on Clone: the clone uses this connection's protocol"
                        + " stack (RFC 9622 §7.4)");
            }
        }
    }

    /**
     * Starts opening {@code clone}, which already holds the original's values and its overrides.
     * {@code framer} is the framer given to Clone, or null to inherit the original's;
     * {@code originalSettled} completes when the original is Ready or Closed.
     */
    public static void start(GroupMember original, GroupMember clone, FramerFactory framer,
            Map<Property<?>, Object> entangledOverrides, CompletableFuture<?> originalSettled) {
        clone.framerFactories(framer != null ? List.of(framer) : original.framerFactories());
        Timeout connTimeout = (Timeout) clone.connectionValues().get(Property.CONN_TIMEOUT);
        Duration timeout = connTimeout.isNone() ? DEFAULT_CLONE_TIMEOUT : connTimeout.duration();
        TapsConnectionGroup joined = original.connectionGroup();
        TransportServicesException refused = clone.joinGroup(joined);
        CloneRequest request = new CloneRequest(original, clone, clone.framerFactories(), timeout);
        if (refused != null) {
            // Never raised before clone() returns, so the caller has the clone in hand first.
            original.runOnLoop(() -> request.failed(refused));
            return;
        }
        entangledOverrides.forEach((property, value) -> joined.entangle(clone, property, value));
        // Before Ready the clone waits for the original (RFC 9622 leaves it open; Q-16).
        // Closed also ends the wait: a Close before Ready completes closed() but never ready().
        originalSettled.whenComplete((ready, failure) -> original.runOnLoop(() -> open(request, framer == null,
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure)));
    }

    private static void open(CloneRequest request, boolean inheritFramers, Throwable originalFailure) {
        GroupMember original = request.original();
        if (request.cloned().state() == io.taps.properties.ConnectionState.CLOSED) {
            return;
        }
        if (originalFailure != null) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE,
                    "the original connection never became ready: " + originalFailure.getMessage(), originalFailure));
            return;
        }
        if (original.closing()) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE, "the original connection is "
                    + (original.state() == io.taps.properties.ConnectionState.CLOSED ? "closed" : "closing")
                    + " (RFC 9622 §7.4)"));
            return;
        }
        CloneSupport support = original.connectionGroup().cloneSupport();
        if (support == null) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE, (original.accepted()
                    ? "a connection a Listener accepted cannot be cloned: its remote port is the peer's"
                            + " ephemeral port, not a service to connect to"
                    : "the " + original.protocolStack().orElse("chosen") + " stack of this connection cannot be cloned")
                    + " (RFC 9622 §7.4)"));
            return;
        }
        if (inheritFramers) {
            // Before Ready the original had no framer factories yet (the winner's establisher hands
            // them over), so a Clone called then takes them now.
            request.cloned().framerFactories(original.framerFactories());
            request = new CloneRequest(original, request.cloned(), original.framerFactories(), request.timeout());
        }
        try {
            support.open(request);
        } catch (RuntimeException failure) {
            request.failed(failure instanceof TransportServicesException ? (TransportServicesException) failure
                    : new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                            "opening the clone failed: " + failure, failure));
        }
    }
}
