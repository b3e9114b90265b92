package io.taps.internal.observe;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.EstablishmentResult;
import io.taps.Listener;
import io.taps.TransportObserver;
import java.util.List;
import java.util.Optional;

/** Several observers as one, called in registration order. */
public final class CompositeObserver implements TransportObserver {
    private final TransportObserver[] observers;

    public CompositeObserver(List<TransportObserver> observers) {
        this.observers = observers.toArray(TransportObserver[]::new);
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
