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
 */
final class KnownEndpoints {
    private final List<RemoteEndpoint> remotes = new ArrayList<>(2);
    private final List<LocalEndpoint> locals = new ArrayList<>(2);
    private RemoteEndpoint remoteInUse;
    private LocalEndpoint localInUse;

    synchronized void known(List<LocalEndpoint> fromLocals, List<RemoteEndpoint> fromRemotes) {
        addAll(locals, fromLocals);
        addAll(remotes, fromRemotes);
    }

    /** The endpoints of the adopted flow; they become known too. */
    synchronized void inUse(LocalEndpoint local, RemoteEndpoint remote) {
        this.localInUse = local;
        this.remoteInUse = remote;
        addAll(locals, List.of(local));
        addAll(remotes, List.of(remote));
    }

    synchronized void addRemotes(RemoteEndpoint... added) {
        addAll(remotes, Arrays.asList(added));
    }

    synchronized void addLocals(LocalEndpoint... added) {
        addAll(locals, Arrays.asList(added));
    }

    /** Forgets {@code removed}; true when the flow lost its Remote Endpoint and must be aborted. */
    synchronized boolean removeRemotes(RemoteEndpoint... removed) {
        List<RemoteEndpoint> gone = Arrays.asList(removed);
        boolean knewAny = !remotes.isEmpty();
        remotes.removeAll(gone);
        return gone.contains(remoteInUse) || knewAny && remotes.isEmpty();
    }

    /** Forgets {@code removed}; true when the flow lost its Local Endpoint and must be aborted. */
    synchronized boolean removeLocals(LocalEndpoint... removed) {
        List<LocalEndpoint> gone = Arrays.asList(removed);
        locals.removeAll(gone);
        return localInUse != null && gone.contains(localInUse);
    }

    synchronized List<RemoteEndpoint> remotes() {
        return List.copyOf(remotes);
    }

    synchronized List<LocalEndpoint> locals() {
        return List.copyOf(locals);
    }

    /** The Remote Endpoint of {@code link}'s flow, empty before establishment ({@code link} null). */
    static Optional<RemoteEndpoint> remoteOf(Link link) {
        return link == null ? Optional.empty() : Optional.of(RemoteEndpoint.of(link.remoteAddress()));
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
