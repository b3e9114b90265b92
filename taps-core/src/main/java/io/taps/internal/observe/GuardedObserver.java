package io.taps.internal.observe;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentResult;
import io.taps.Listener;
import io.taps.monitor.TransportObserver;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an application's observer and keeps its exceptions away from the event loop: a failing
 * metrics hook must never break a Connection.
 */
public final class GuardedObserver implements TransportObserver {
    private static final Logger log = LoggerFactory.getLogger(GuardedObserver.class);

    private final TransportObserver delegate;

    private GuardedObserver(TransportObserver delegate) {
        this.delegate = delegate;
    }

    /** {@code observer} guarded; NONE and composites (whose parts are guarded) unchanged. */
    public static TransportObserver guard(TransportObserver observer) {
        return observer == NONE || observer instanceof GuardedObserver || observer instanceof CompositeObserver ? observer : new GuardedObserver(observer);
    }

    private void failed(String callback, RuntimeException failure) {
        log.warn("TransportObserver {}.{} failed; ignored", delegate.getClass().getName(), callback, failure);
    }

    @Override
    public void establishmentStarted(Connection connection) {
        try {
            delegate.establishmentStarted(connection);
        } catch (RuntimeException failure) {
            failed("establishmentStarted", failure);
        }
    }

    @Override
    public void establishmentFinished(Connection connection, EstablishmentResult result) {
        try {
            delegate.establishmentFinished(connection, result);
        } catch (RuntimeException failure) {
            failed("establishmentFinished", failure);
        }
    }

    @Override
    public void connectionReceived(Listener listener, Connection connection) {
        try {
            delegate.connectionReceived(listener, connection);
        } catch (RuntimeException failure) {
            failed("connectionReceived", failure);
        }
    }

    @Override
    public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
        try {
            delegate.connectionClosed(connection, error);
        } catch (RuntimeException failure) {
            failed("connectionClosed", failure);
        }
    }

    @Override
    public void messageSent(Connection connection, int bytes) {
        try {
            delegate.messageSent(connection, bytes);
        } catch (RuntimeException failure) {
            failed("messageSent", failure);
        }
    }

    @Override
    public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
        try {
            delegate.messageReceived(connection, bytes, endOfMessage);
        } catch (RuntimeException failure) {
            failed("messageReceived", failure);
        }
    }

    @Override
    public void endOfStreamReceived(Connection connection) {
        try {
            delegate.endOfStreamReceived(connection);
        } catch (RuntimeException failure) {
            failed("endOfStreamReceived", failure);
        }
    }

    @Override
    public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
        try {
            delegate.error(connection, kind, reason);
        } catch (RuntimeException failure) {
            failed("error", failure);
        }
    }

    @Override
    public void pathChange(Connection connection) {
        try {
            delegate.pathChange(connection);
        } catch (RuntimeException failure) {
            failed("pathChange", failure);
        }
    }
}
