package io.taps;

import io.taps.properties.ConnectionProperties;
import java.util.List;
import java.util.Optional;

/**
 * A Connection Group (RFC 9622 §7.4, RFC 9621 §4.1.8; checklist C-09, A-14, A-25, design.md Q-16):
 * the Connections made from one another by {@link Connection#clone() Clone}. Every Connection is in
 * a group from the start, a group of one; a Connection a Listener accepted is in its own group.
 *
 * <p>The members share every Connection Property except {@code connPriority}: the properties are
 * <em>entangled</em>, so {@link Connection#setProperty} on one member changes it on all of them
 * (and applies the matching socket option on each member's transport). {@code connPriority} is
 * copied to a clone and stays per Connection afterwards. {@code groupConnLimit} caps the number of
 * members: a Clone beyond it fails with CloneError.
 *
 * <p>On TCP, TLS/TCP and UDP each member is its own transport connection ({@link #multiplexed()}
 * is false), so {@code connScheduler} and {@code connPriority} are stored and reported but have no
 * effect on how capacity is shared. On a multistreaming stack such as QUIC the members are streams
 * of one transport connection ({@link #multiplexed()} true).
 *
 * <p>Every method may be called from any thread.
 */
public interface ConnectionGroup {

    /** A short identifier, unique within the {@link TransportServices} and stable for the group's life, e.g. {@code "g-17"}. */
    String id();

    /**
     * The members that are not yet Closed, in the order they were created (GetGroupedConnections,
     * RFC 9622 §7.4, A-14); a snapshot.
     */
    List<Connection> connections();

    /** CloseGroup (RFC 9622 §10, A-25): Close on every member; each raises its own Closed. */
    void close();

    /** AbortGroup (RFC 9622 §10, A-25): Abort on every member; each raises its own ConnectionError. */
    void abort();

    /** The entangled Connection Properties the members share: every Connection Property except {@code connPriority}. */
    ConnectionProperties sharedProperties();

    /** The protocol stack the members use, for example {@code "TLS/TCP"}; empty while none is established. */
    Optional<String> protocolStack();

    /**
     * Whether the members share one transport connection (QUIC streams) rather than each having its
     * own (TCP, TLS/TCP and UDP clones).
     */
    boolean multiplexed();
}
