package io.taps.internal.group;


import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Connection Group of RFC 9622 §7.4 (C-09): its members in creation order, the entangled
 * Connection Properties (every one but {@code connPriority}), the {@link CloneSupport} of the stack
 * its first member won, and an opaque cache scope for {@code isolateSession} (CP-10, C-10).
 *
 * <p>Membership changes (a clone joins, a member reaches Closed) and entangled property changes
 * are rare, so they take this object's lock; nothing here is on a per-Message path.
 */
public final class TapsConnectionGroup implements ConnectionGroup {
    private static final AtomicLong NEXT_NUMBER = new AtomicLong(1);

    private final long number = NEXT_NUMBER.getAndIncrement();
    private final GroupMember first;
    private final List<GroupMember> members = new CopyOnWriteArrayList<>();
    /** The entangled values; copied from the first member only when first needed (most groups never are). */
    private Map<Property<?>, Object> shared;
    private volatile CloneSupport cloneSupport;
    /** Set for the streams of one QUIC connection, whose group may have no clone support (server side). */
    private volatile boolean sharedTransport;
    private volatile Consumer<GroupMember> tracker = member -> { };

    /** A group of one. */
    public TapsConnectionGroup(GroupMember first) {
        this.first = first;
        members.add(first);
    }

    /**
     * The entangled values. Until the first entangled change every member holds the first
     * member's values (clones copy them), so a lazy copy of them is exact.
     */
    private Map<Property<?>, Object> shared() {
        assert Thread.holdsLock(this);
        if (shared == null) {
            shared = new LinkedHashMap<>(first.connectionValues());
            shared.remove(Property.CONN_PRIORITY);
        }
        return shared;
    }

    /** Creation order of groups, for listings. */
    public long number() {
        return number;
    }

    @Override
    public String id() {
        return "g-" + number;
    }

    @Override
    public List<Connection> connections() {
        List<Connection> live = new ArrayList<>(members.size());
        for (GroupMember member : members) {
            if (member.state() != ConnectionState.CLOSED) {
                live.add(member);
            }
        }
        return List.copyOf(live);
    }

    @Override
    public void close() {
        for (GroupMember member : members) {
            member.close();
        }
    }

    @Override
    public void abort() {
        for (GroupMember member : members) {
            member.abort();
        }
    }

    @Override
    public synchronized ConnectionProperties sharedProperties() {
        return ConnectionProperties.of(shared());
    }

    @Override
    public Optional<String> protocolStack() {
        for (GroupMember member : members) {
            Optional<String> stack = member.protocolStack();
            if (stack.isPresent()) {
                return stack;
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean multiplexed() {
        CloneSupport support = cloneSupport;
        return sharedTransport || support != null && support.multiplexed();
    }

    /**
     * Marks the members as streams of one transport connection even where the group has no clone
     * support: the streams a QUIC server accepted on one QUIC connection (it opens none itself).
     */
    public void markSharedTransport() {
        this.sharedTransport = true;
    }

    /** How clones of this group are made; null while none of its members won a cloneable stack. */
    public CloneSupport cloneSupport() {
        return cloneSupport;
    }

    /** Set by the member that adopted a cloneable stack (the first one; clones keep it). */
    public void cloneSupport(CloneSupport support) {
        this.cloneSupport = support;
    }

    /** Lets the owning system see clones as they join, as it sees initiated and accepted Connections. */
    public void trackWith(Consumer<GroupMember> newTracker) {
        this.tracker = newTracker;
    }

    /**
     * Adds {@code clone} (or a passive member), giving it the group's entangled values; returns the
     * refusal, or null when it joined. {@code groupConnLimit} (RFC 9622 §8.1.9, CP-09) bounds the
     * Connections the peer opens in the group (a new stream of a QUIC connection a Listener
     * accepted): a passive member beyond it is refused. Clones this side opens are not counted and
     * never refused by it. Use {@code GroupMember.joinGroup}, which also points the Connection at
     * this group.
     */
    public TransportServicesException admit(GroupMember clone) {
        synchronized (this) {
            Limit limit = (Limit) shared().get(Property.GROUP_CONN_LIMIT);
            if (clone.accepted() && limit != null && !limit.isUnlimited()) {
                long peerOpened = members.stream()
                        .filter(member -> member.accepted() && member.state() != ConnectionState.CLOSED).count();
                if (!limit.allows(peerOpened + 1)) {
                    return new TransportServicesException(ErrorReason.NOT_CLONEABLE, "group " + id() + " already has "
                            + peerOpened + " connections the peer opened and groupConnLimit is " + limit
                            + " (RFC 9622 §8.1.9)");
                }
            }
            // A member shares the group's entangled values (a clone already holds them).
            Map<Property<?>, Object> current = clone.connectionValues();
            for (Map.Entry<Property<?>, Object> entry : shared().entrySet()) {
                if (!entry.getValue().equals(current.get(entry.getKey()))) {
                    clone.storeProperty(entry.getKey(), entry.getValue());
                }
            }
            members.add(clone);
        }
        tracker.accept(clone);
        return null;
    }

    /**
     * SetProperty on a member (RFC 9622 §7.4, A-16): an entangled property changes on every member,
     * {@code origin} first; {@code connPriority} never comes here.
     */
    public void entangle(GroupMember origin, Property<?> property, Object value) {
        synchronized (this) {
            shared().put(property, value);
            // Stored on every member under the lock, so concurrent changes leave all members agreeing.
            origin.storeProperty(property, value);
            for (GroupMember member : members) {
                if (member != origin) {
                    member.storeProperty(property, value);
                }
            }
        }
    }

    /** A member reached Closed: it leaves the group. */
    public void memberEnded(GroupMember member) {
        members.remove(member);
    }

    @Override
    public String toString() {
        return "ConnectionGroup[" + id() + ", " + connections().size() + " connections]";
    }
}
