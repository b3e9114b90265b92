package io.taps.internal.conn;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The endpoints a Connection knows (RFC 9622 §7.5, A-15): its Preconnection's, the ones in use
 * once established, and those AddRemote/AddLocal added, less the removed ones. taps' stacks are
 * single-path, so only the endpoints in use carry the flow; the others are what a multipath or
 * migrating stack would use. Changed and read from any thread, rarely.
 *
 * <p>The lists are made on the first change other than adopting a flow: until then the known
 * endpoints are just those in use, which is all an accepted Connection ever knows, so thousands of
 * idle accepted Connections keep no lists (issue 21 item 4). The endpoints in use are derived from
 * the flow when asked, and go into lists that exist only on the first call after the adoption, so
 * establishing a Connection builds no endpoint objects that nobody reads (issue 21 item 1); every
 * method settles them first, so the lists read as if they had been added at adoption.
 */
final class KnownEndpoints {
    /** Null while the known Remote Endpoints are just the one in use (none before establishment). */
    private List<RemoteEndpoint> remotes;
    /** Null while the known Local Endpoints are just the one in use (none before establishment). */
    private List<LocalEndpoint> locals;
    /** The flow in use; its endpoints are derived from it when asked, not kept as copies. */
    private Link inUse;
    /** False from an adoption until the endpoints in use are in the lists that exist. */
    private boolean inUseListed = true;

    synchronized void known(List<LocalEndpoint> fromLocals, List<RemoteEndpoint> fromRemotes) {
        settle();
        addAll(locals(true), fromLocals);
        addAll(remotes(true), fromRemotes);
    }

    /** The endpoints of the adopted flow; they become known too. */
    synchronized void inUse(Link link) {
        if (link == inUse) {
            return;
        }
        settle();
        if (inUse != null) {
            // A second flow: the first one's endpoints stay known next to the new ones.
            locals(true);
            remotes(true);
        }
        this.inUse = link;
        this.inUseListed = false;
    }

    /** Adds the endpoints in use to the lists that exist, once per adoption. */
    private void settle() {
        if (inUseListed) {
            return;
        }
        inUseListed = true;
        if (locals != null) {
            addAll(locals, List.of(localInUse()));
        }
        if (remotes != null) {
            addAll(remotes, List.of(remoteInUse()));
        }
    }

    synchronized void addRemotes(RemoteEndpoint... added) {
        settle();
        addAll(remotes(true), Arrays.asList(added));
    }

    synchronized void addLocals(LocalEndpoint... added) {
        settle();
        addAll(locals(true), Arrays.asList(added));
    }

    /** Forgets {@code removed}; true when the flow lost its Remote Endpoint and must be aborted. */
    synchronized boolean removeRemotes(RemoteEndpoint... removed) {
        settle();
        List<RemoteEndpoint> gone = Arrays.asList(removed);
        List<RemoteEndpoint> known = remotes(true);
        boolean knewAny = !known.isEmpty();
        known.removeAll(gone);
        return gone.contains(remoteInUse()) || knewAny && known.isEmpty();
    }

    /** Forgets {@code removed}; true when the flow lost its Local Endpoint and must be aborted. */
    synchronized boolean removeLocals(LocalEndpoint... removed) {
        settle();
        List<LocalEndpoint> gone = Arrays.asList(removed);
        locals(true).removeAll(gone);
        LocalEndpoint localInUse = localInUse();
        return localInUse != null && gone.contains(localInUse);
    }

    synchronized List<RemoteEndpoint> remotes() {
        settle();
        return List.copyOf(remotes(false));
    }

    synchronized List<LocalEndpoint> locals() {
        settle();
        return List.copyOf(locals(false));
    }

    /** The known Remote Endpoints; {@code toChange}: as a list of their own, made now if need be. */
    private List<RemoteEndpoint> remotes(boolean toChange) {
        if (remotes == null) {
            List<RemoteEndpoint> implied = impliedRemotes(inUse);
            if (!toChange) {
                return implied;
            }
            remotes = new ArrayList<>(implied);
        }
        return remotes;
    }

    /** The known Local Endpoints; {@code toChange}: as a list of their own, made now if need be. */
    private List<LocalEndpoint> locals(boolean toChange) {
        if (locals == null) {
            List<LocalEndpoint> implied = impliedLocals(inUse);
            if (!toChange) {
                return implied;
            }
            locals = new ArrayList<>(implied);
        }
        return locals;
    }

    private RemoteEndpoint remoteInUse() {
        return remoteOf(inUse).orElse(null);
    }

    private LocalEndpoint localInUse() {
        return localOf(inUse).orElse(null);
    }

    /** The Remote Endpoint of {@code link}'s flow, empty before establishment ({@code link} null). */
    static Optional<RemoteEndpoint> remoteOf(Link link) {
        return link == null ? Optional.empty() : Optional.of(RemoteEndpoint.of(link.remoteAddress()));
    }

    /** The Remote Endpoints known while nothing but {@code link}'s flow is: its one, none before establishment. */
    static List<RemoteEndpoint> impliedRemotes(Link link) {
        return remoteOf(link).map(List::of).orElse(List.of());
    }

    /** The Local Endpoints known while nothing but {@code link}'s flow is: its one, none before establishment. */
    static List<LocalEndpoint> impliedLocals(Link link) {
        return localOf(link).map(List::of).orElse(List.of());
    }

    /** The Local Endpoint of {@code link}'s flow, empty before establishment ({@code link} null). */
    static Optional<LocalEndpoint> localOf(Link link) {
        if (link == null) {
            return Optional.empty();
        }
        InetSocketAddress local = link.localAddress();
        return Optional.of(LocalEndpoint.ofAddress(local.getAddress(), local.getPort()));
    }

    private static <T> void addAll(List<T> known, List<T> added) {
        for (T endpoint : added) {
            if (endpoint != null && !known.contains(endpoint)) {
                known.add(endpoint);
            }
        }
    }
}
