package io.taps.internal;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.List;

/**
 * The deep snapshot of a Preconnection taken at Initiate or Listen (O-01, M-02): every part is
 * immutable, so nothing the application changes later can reach the Connection or Listener.
 */
public record PreconnectionSpec(List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
        TransportProperties properties, SecurityParameters security) {

    public PreconnectionSpec {
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
    }
}
