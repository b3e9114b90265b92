package io.taps.internal.group;

import io.taps.Connection;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import java.util.List;
import java.util.Map;
import io.taps.properties.Property;

/**
 * What a Connection Group (RFC 9622 §7.4) and its clone coordination need from a member
 * Connection: its public face, its Connection Property values, and the few hooks a Clone in
 * progress calls. Keeps the group package free of the connection's implementation.
 */
public interface GroupMember extends Connection {

    /** This member's Connection Property values (a live, unmodifiable view). */
    Map<Property<?>, Object> connectionValues();

    /** Stores a Connection Property value and applies it to the member's transport. */
    void storeProperty(Property<?> property, Object value);

    /** Moves this member into {@code target}; returns the refusal when the group is full, else null. */
    TransportServicesException joinGroup(TapsConnectionGroup target);

    /** The group as its internal type. */
    TapsConnectionGroup connectionGroup();

    /** EstablishmentError on a clone that could not be made; the clone is then Closed. */
    void failEstablishment(TransportServicesException error);

    /** CloneError (RFC 9622 §7.4, E-08), unless the member can no longer raise events. */
    void raiseCloneError(TransportServicesException error);

    /** Close was called, or the member is Closing or Closed: it can no longer be cloned. */
    boolean closing();

    /** Whether a Listener accepted this member (its remote port is the peer's ephemeral one). */
    boolean accepted();

    /** The framer factories clones of this member get new instances of. */
    List<FramerFactory> framerFactories();

    /** Gives this member (a clone) its framer factories. */
    void framerFactories(List<FramerFactory> framers);

    /** Runs {@code task} on the member's event loop. */
    void runOnLoop(Runnable task);
}
