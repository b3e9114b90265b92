package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The taps endpoint's answer: one record per section, so new sections (connection groups, path
 * statistics, caches) are new components here and new descriptor records beside it.
 *
 * @param system      the Transport Services system (RFC 9622 §3)
 * @param listeners   the declared Listeners (§7.2)
 * @param connections the Connections not Closed yet (§7.1, §11)
 */
public record TapsDescriptor(SystemDescriptor system, List<ListenerDescriptor> listeners,
        List<ConnectionDescriptor> connections) implements OperationResponseBody {

    /**
     * The system: its I/O transport ({@code epoll}|{@code nio}) and TLS provider.
     *
     * @param ioTransport the Netty transport in use
     * @param tlsProvider the TLS implementation in use
     */
    public record SystemDescriptor(String ioTransport, String tlsProvider) {
    }
}
