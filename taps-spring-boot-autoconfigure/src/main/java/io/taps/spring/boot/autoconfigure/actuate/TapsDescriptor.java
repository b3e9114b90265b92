package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The taps endpoint's answer: one record per section, so a new section is a new component here
 * and a new descriptor record beside it.
 *
 * @param system      the Transport Services system (RFC 9622 §3)
 * @param listeners   the declared Listeners (§7.2)
 * @param connections the Connections not Closed yet (§7.1, §11) that match the request's filters,
 *                    by id, at most its limit; each listed once
 * @param connectionCount how many Connections there are, match and are listed
 * @param groups      the Connection Groups (§7.4) of the listed Connections
 * @param cache       the cached state: path statistics, DNS and TLS session counts (RFC 9623 §9)
 * @param paths       the local network paths (RFC 9623 §4.1.1)
 * @param clients     the {@code taps.clients.<name>} clients, in configuration order
 */
public record TapsDescriptor(SystemDescriptor system, List<ListenerDescriptor> listeners,
        List<ConnectionDescriptor> connections, ConnectionCount connectionCount, List<GroupDescriptor> groups,
        CacheDescriptor cache, List<PathDescriptor> paths, List<ClientDescriptor> clients)
        implements OperationResponseBody {

    /** An answer without clients. */
    public TapsDescriptor(SystemDescriptor system, List<ListenerDescriptor> listeners,
            List<ConnectionDescriptor> connections, ConnectionCount connectionCount, List<GroupDescriptor> groups,
            CacheDescriptor cache, List<PathDescriptor> paths) {
        this(system, listeners, connections, connectionCount, groups, cache, paths, List.of());
    }

    /**
     * The size of the {@code connections} section, so a limited answer says what it left out.
     *
     * @param total    Connections not Closed yet
     * @param matching those matching the filters ({@code ?listener=}, {@code ?state=})
     * @param listed   those listed: the first {@code limit} matching ones, by id
     * @param limit    the limit applied ({@code ?limit=}, else the configured default)
     */
    public record ConnectionCount(int total, int matching, int listed, int limit) {
    }

    /**
     * The system: its I/O transport ({@code epoll}|{@code nio}) and TLS provider.
     *
     * @param ioTransport the Netty transport in use
     * @param tlsProvider the TLS implementation in use
     */
    public record SystemDescriptor(String ioTransport, String tlsProvider) {
    }
}
