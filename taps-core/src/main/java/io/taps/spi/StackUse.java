package io.taps.spi;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.List;
import java.util.Objects;

/**
 * The Preconnection a protocol stack is asked to serve (RFC 9622 §6): the endpoints, Transport
 * Properties and Security Parameters as taken at Initiate, Listen or Rendezvous (RFC 9622 §7),
 * and whether Message Framers run on top (RFC 9622 §9.1.2). Immutable.
 *
 * @param role whether the Connection is initiated, listened for or a rendezvous (RFC 9622 §7)
 * @param locals the LocalEndpoints, in the order given
 * @param remotes the RemoteEndpoints, in the order given
 * @param properties the Transport Properties
 * @param security the Security Parameters (RFC 9622 §6.3)
 * @param framed whether the Preconnection has Message Framers
 */
public record StackUse(Role role, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
        TransportProperties properties, SecurityParameters security, boolean framed) {

    /** Copies the endpoint lists. */
    public StackUse {
        Objects.requireNonNull(role, "role");
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(security, "security");
    }
}
