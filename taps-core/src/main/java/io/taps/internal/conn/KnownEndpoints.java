package io.taps.internal.conn;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The endpoints a Connection knows (RFC 9622 §7.5, A-15): its Preconnection's, the ones in use
 * once established, and those AddRemote/AddLocal added, less the removed ones. taps' stacks are
 * single-path, so only the endpoints in use carry the flow; the others are what a multipath or
 * migrating stack would use. Changed and read from any thread, rarely.
 *
 * <p>The endpoints in use are kept as the flow's addresses at adoption and become endpoints (and
 * known) on the first call that reads or changes the lists: every Connection is adopted, few are
 * asked (issue 21 item 1, a LocalEndpoint builder and a RemoteEndpoint per connect). Every method
 * settles them first, so the lists read exactly as if they had been added at adoption.
 */
final class KnownEndpoints {
    private final List<RemoteEndpoint> remotes = new ArrayList<>(2);
    private final List<LocalEndpoint> locals = new ArrayList<>(2);
    private RemoteEndpoint remoteInUse;
    private LocalEndpoint localInUse;
    /** The adopted flow's addresses whose endpoints are not built yet, or null. */
    private InetSocketAddress localAddressToSettle;
    private InetSocketAddress remoteAddressToSettle;

    synchronized void known(List<LocalEndpoint> fromLocals, List<RemoteEndpoint> fromRemotes) {
        settle();
        addAll(locals, fromLocals);
        addAll(remotes, fromRemotes);
    }

    /** The addresses of the adopted flow; their endpoints become the ones in use, and known too. */
    synchronized void inUse(InetSocketAddress local, InetSocketAddress remote) {
        settle();
        this.localAddressToSettle = Objects.requireNonNull(local, "local");
        this.remoteAddressToSettle = Objects.requireNonNull(remote, "remote");
    }

    /** Builds the endpoints in use from the adopted addresses and adds them, once. */
    private void settle() {
        if (localAddressToSettle == null) {
            return;
        }
        InetSocketAddress local = localAddressToSettle;
        InetSocketAddress remote = remoteAddressToSettle;
        localAddressToSettle = null;
        remoteAddressToSettle = null;
        this.localInUse = LocalEndpoint.ofAddress(local.getAddress(), local.getPort());
        this.remoteInUse = RemoteEndpoint.of(remote);
        addAll(locals, List.of(localInUse));
        addAll(remotes, List.of(remoteInUse));
    }

    synchronized void addRemotes(RemoteEndpoint... added) {
        settle();
        addAll(remotes, Arrays.asList(added));
    }

    synchronized void addLocals(LocalEndpoint... added) {
        settle();
        addAll(locals, Arrays.asList(added));
    }

    /** Forgets {@code removed}; true when the flow lost its Remote Endpoint and must be aborted. */
    synchronized boolean removeRemotes(RemoteEndpoint... removed) {
        settle();
        List<RemoteEndpoint> gone = Arrays.asList(removed);
        boolean knewAny = !remotes.isEmpty();
        remotes.removeAll(gone);
        return gone.contains(remoteInUse) || knewAny && remotes.isEmpty();
    }

    /** Forgets {@code removed}; true when the flow lost its Local Endpoint and must be aborted. */
    synchronized boolean removeLocals(LocalEndpoint... removed) {
        settle();
        List<LocalEndpoint> gone = Arrays.asList(removed);
        locals.removeAll(gone);
        return localInUse != null && gone.contains(localInUse);
    }

    synchronized List<RemoteEndpoint> remotes() {
        settle();
        return List.copyOf(remotes);
    }

    synchronized List<LocalEndpoint> locals() {
        settle();
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
