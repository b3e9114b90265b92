package io.taps.spring.boot.autoconfigure.actuate;

import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code taps} actuator endpoint, named and defaulted as Boot's {@code env} and
 * {@code configprops} endpoints name theirs: an exposed endpoint does not list who the clients are
 * unless told to.
 */
@ConfigurationProperties("management.endpoint.taps")
public class TapsEndpointProperties {

    /**
     * When to show who the peers are (remote addresses, host names, peer certificate subjects)
     * instead of "******": never, when-authorized or always.
     */
    private Show showValues = Show.NEVER;

    /**
     * Roles used to decide whether a user is authorized to see the peers' values. When empty,
     * every authenticated user is authorized.
     */
    private final Set<String> roles = new LinkedHashSet<>();

    /** How many Connections an answer lists when the request gives no limit parameter. */
    private int defaultLimit = 100;

    public Show getShowValues() {
        return showValues;
    }

    public void setShowValues(Show showValues) {
        this.showValues = showValues;
    }

    public Set<String> getRoles() {
        return roles;
    }

    public int getDefaultLimit() {
        return defaultLimit;
    }

    public void setDefaultLimit(int defaultLimit) {
        this.defaultLimit = defaultLimit;
    }
}
