package io.taps.internal.group;

import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import java.time.Duration;
import java.util.List;

/**
 * One Clone in progress (RFC 9622 §7.4): the Connection whose Clone was called, the new Connection,
 * the framer factories the clone gets new instances of (the original's, or the one given to Clone),
 * and the bound on opening its transport.
 *
 * @param original the Connection whose Clone was called
 * @param cloned the new Connection, Establishing, already in the original's group
 * @param framers the clone's framer factories, first nearest the application
 * @param timeout how long opening the clone's transport may take
 */
public record CloneRequest(GroupMember original, GroupMember cloned, List<FramerFactory> framers,
        Duration timeout) {

    /** Copies the framer list. */
    public CloneRequest {
        framers = List.copyOf(framers);
    }

    /**
     * The clone could not be made: EstablishmentError on the clone and CloneError on the original
     * (if it can still raise events), both with {@code error}.
     */
    public void failed(TransportServicesException error) {
        cloned.failEstablishment(error);
        original.raiseCloneError(error);
    }
}
