package io.taps.spring.boot.autoconfigure.actuate;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The taps endpoint over HTTP: the same answers as {@link TapsEndpoint}, with the peers' values
 * shown only as {@code management.endpoint.taps.show-values} allows for the request's user
 * ({@code when-authorized}: an authenticated user, with one of
 * {@code management.endpoint.taps.roles} when set), as Boot's {@code env} web extension does.
 */
@EndpointWebExtension(endpoint = TapsEndpoint.class)
public class TapsEndpointWebExtension {
    private final TapsEndpoint delegate;
    private final Show showValues;
    private final Set<String> roles;
    private final int defaultLimit;

    public TapsEndpointWebExtension(TapsEndpoint delegate, Show showValues, Set<String> roles, int defaultLimit) {
        this.delegate = delegate;
        this.showValues = showValues;
        this.roles = Set.copyOf(roles);
        this.defaultLimit = defaultLimit;
    }

    @ReadOperation
    public TapsDescriptor taps(SecurityContext securityContext, @Nullable String listener, @Nullable String state,
            @Nullable Integer limit) {
        return delegate.taps(ConnectionQuery.of(listener, state, limit, defaultLimit), peers(securityContext));
    }

    @ReadOperation
    public WebEndpointResponse<ConnectionDescriptor> connection(SecurityContext securityContext, @Selector String id) {
        ConnectionDescriptor connection = delegate.connection(id, peers(securityContext));
        return connection == null ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
                : new WebEndpointResponse<>(connection, WebEndpointResponse.STATUS_OK);
    }

    private PeerValues peers(SecurityContext securityContext) {
        return PeerValues.of(showValues.isShown(securityContext, roles));
    }
}
