package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The taps endpoint's answer: one record per section, so a new section is a new component here
 * and a new descriptor record beside it.
 *
 * @param system      the Transport Services system (RFC 9622 §3)
 * @param listeners   the declared Listeners (§7.2)
 * @param connections the Connections not Closed yet (§7.1, §11)
 * @param groups      the Connection Groups with a member not yet Closed (§7.4)
 * @param cache       the cached state: path statistics, DNS and TLS session counts (RFC 9623 §9)
 * @param paths       the local network paths (RFC 9623 §4.1.1)
 */
public record TapsDescriptor(SystemDescriptor system, List<ListenerDescriptor> listeners,
        List<ConnectionDescriptor> connections, List<GroupDescriptor> groups, CacheDescriptor cache,
        List<PathDescriptor> paths) implements OperationResponseBody {

    /**
     * The system: its I/O transport ({@code epoll}|{@code nio}) and TLS provider.
     *
     * @param ioTransport the Netty transport in use
     * @param tlsProvider the TLS implementation in use
     */
    public record SystemDescriptor(String ioTransport, String tlsProvider) {
    }
}
