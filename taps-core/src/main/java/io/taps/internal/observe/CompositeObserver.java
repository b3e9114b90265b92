package io.taps.internal.observe;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentResult;
import io.taps.Listener;
import io.taps.monitor.TransportObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Several observers as one, called in registration order. */
public final class CompositeObserver implements TransportObserver {
    private final TransportObserver[] observers;

    private CompositeObserver(List<TransportObserver> observers) {
        this.observers = observers.toArray(TransportObserver[]::new);
    }

    /**
     * One observer that calls each of {@code observers} in order, each guarded so that one that
     * throws never stops the others; {@link TransportObserver#NONE} when there is nothing to call.
     */
    public static TransportObserver of(List<TransportObserver> observers) {
        List<TransportObserver> all = new ArrayList<>();
        for (TransportObserver observer : observers) {
            if (observer != TransportObserver.NONE) {
                all.add(GuardedObserver.guard(observer));
            }
        }
        if (all.isEmpty()) {
            return TransportObserver.NONE;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        return new CompositeObserver(all);
    }

    @Override
    public void establishmentStarted(Connection connection) {
        for (TransportObserver observer : observers) {
            observer.establishmentStarted(connection);
        }
    }

    @Override
    public void establishmentFinished(Connection connection, EstablishmentResult result) {
        for (TransportObserver observer : observers) {
            observer.establishmentFinished(connection, result);
        }
    }

    @Override
    public void connectionReceived(Listener listener, Connection connection) {
        for (TransportObserver observer : observers) {
            observer.connectionReceived(listener, connection);
        }
    }

    @Override
    public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
        for (TransportObserver observer : observers) {
            observer.connectionClosed(connection, error);
        }
    }

    @Override
    public void messageSent(Connection connection, int bytes) {
        for (TransportObserver observer : observers) {
            observer.messageSent(connection, bytes);
        }
    }

    @Override
    public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
        for (TransportObserver observer : observers) {
            observer.messageReceived(connection, bytes, endOfMessage);
        }
    }

    @Override
    public void endOfStreamReceived(Connection connection) {
        for (TransportObserver observer : observers) {
            observer.endOfStreamReceived(connection);
        }
    }

    @Override
    public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
        for (TransportObserver observer : observers) {
            observer.error(connection, kind, reason);
        }
    }

    @Override
    public void pathChange(Connection connection) {
        for (TransportObserver observer : observers) {
            observer.pathChange(connection);
        }
    }
}
