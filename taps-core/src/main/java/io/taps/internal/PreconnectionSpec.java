package io.taps.internal;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.List;

/**
 * The deep snapshot of a Preconnection taken at Initiate or Listen (O-01, M-02): every part is
 * immutable, so nothing the application changes later can reach the Connection or Listener.
 * {@code framers} are the Message Framer factories in the order added: the first is nearest the
 * application (RFC 9622 §9.1.2.1, Q-13).
 */
public record PreconnectionSpec(List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
        TransportProperties properties, SecurityParameters security, List<FramerFactory> framers,
        io.taps.ProxyConfig proxies) {

    public PreconnectionSpec {
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
        framers = List.copyOf(framers);
    }

    /**
     * A snapshot whose proxies are the system's ({@code proxies} null: the TransportServices'
     * configuration applies, RFC 9623 §4.1.2).
     */
    public PreconnectionSpec(List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
            TransportProperties properties, SecurityParameters security, List<FramerFactory> framers) {
        this(locals, remotes, properties, security, framers, null);
    }

    /** This snapshot as the protocol SPI sees it, for {@code role}. */
    public io.taps.spi.StackUse use(io.taps.properties.Role role) {
        return new io.taps.spi.StackUse(role, locals, remotes, properties, security, !framers.isEmpty());
    }

    /** A snapshot without framers. */
    public PreconnectionSpec(List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
            TransportProperties properties, SecurityParameters security) {
        this(locals, remotes, properties, security, List.of());
    }
}
