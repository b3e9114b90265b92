package io.taps.internal;

import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.monitor.EstablishmentResult;
import io.taps.monitor.TransportObserver;
import java.time.Duration;
import java.util.Optional;

/**
 * What the system's {@link TransportObserver} sees of each Connection (RFC 9622 §8.1.11 read-only
 * state, §9 events), wired up by the {@link Engine} as Connections are initiated, received and
 * rendezvoused; nothing is attached when no observer is set.
 */
final class ConnectionObservation {
    private ConnectionObservation() {
    }

    /** Tells {@code current} when {@code connection}'s establishment starts and how it ends. */
    static void establishment(TransportObserver current, TapsConnection connection) {
        if (current == TransportObserver.NONE) {
            return;
        }
        long started = System.nanoTime();
        current.establishmentStarted(connection);
        connection.ready().whenComplete((ready, failure) -> {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if (failure == null) {
                current.establishmentFinished(connection, new EstablishmentResult(true, took,
                        connection.protocolStack(), Optional.empty(), connection.establishmentReport()));
            } else {
                ErrorReason reason = reasonOf(failure);
                current.establishmentFinished(connection, new EstablishmentResult(false, took, Optional.empty(),
                        Optional.of(reason), connection.establishmentReport()));
                current.error(connection, TransportObserver.ErrorKind.ESTABLISHMENT, reason);
            }
        });
    }

    /**
     * A member joined a group: a clone this side made (RFC 9622 §7.4) is observed like an initiated
     * Connection, its establishment starting now, within Clone; a stream the peer opened is
     * reported when its Listener delivers it (ConnectionReceived).
     */
    static void joined(TransportObserver current, TapsConnection member) {
        if (!member.accepted()) {
            establishment(current, member);
        }
    }

    /** Tells {@code current} that {@code listener} received {@code connection}. */
    static void received(TransportObserver current, Listener listener, TapsConnection connection) {
        if (current != TransportObserver.NONE) {
            current.connectionReceived(listener, connection);
        }
    }

    /** Lets {@code current} see the Connection's messages and its Closed, if it ever was Ready. */
    static void connection(TransportObserver current, TapsConnection connection) {
        if (current == TransportObserver.NONE) {
            return;
        }
        // The Connection reads the engine's observer through its owner (TapsConnection.ownedBy).
        connection.closed().whenComplete((ok, failure) -> {
            if (connection.ready().toCompletableFuture().isCompletedExceptionally()) {
                return;
            }
            if (failure == null) {
                current.connectionClosed(connection, Optional.empty());
            } else {
                ErrorReason reason = reasonOf(failure);
                current.error(connection, TransportObserver.ErrorKind.CONNECTION, reason);
                current.connectionClosed(connection, Optional.of(reason));
            }
        });
    }

    private static ErrorReason reasonOf(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof TransportServicesException ? ((TransportServicesException) cause).reason()
                : ErrorReason.PROTOCOL_FAILED;
    }

}
