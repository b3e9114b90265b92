package io.taps.internal.listen;

import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;

/**
 * The {@code _taps.idleTimeout} a Listener gives the Connections it accepts (RFC 9622 §4.1 vendor
 * property), so that a peer that connects and goes silent cannot hold a Connection forever:
 * <ol>
 *   <li>an idle timeout the application set on the Preconnection is used as it is (Disabled too);</li>
 *   <li>otherwise, a Listener that asks for keep-alives ({@code keepAlive} Require or Prefer, or a
 *       {@code keepAliveTimeout}, RFC 9622 §6.2.10, §8.1.4) wants idle Connections kept: Disabled;</li>
 *   <li>otherwise the Listen default, 5 minutes, or the application's {@code connTimeout} where that
 *       is longer: {@code connTimeout} (§8.1.3) keeps its own meaning (how long undeliverable data
 *       is retried), but a Connection is never ended for silence sooner than the application said
 *       it may go without progress.</li>
 * </ol>
 * The value is stored on every accepted Connection, so GetProperties reports it and SetProperty
 * changes it for that Connection.
 */
final class AcceptedIdleTimeout {
    private AcceptedIdleTimeout() {
    }

    /** {@code listener}'s properties with the idle timeout its accepted Connections get set explicitly. */
    static TransportProperties apply(TransportProperties listener) {
        if (listener.isSet(Property.IDLE_TIMEOUT)) {
            return listener;
        }
        return listener.toBuilder().set(Property.IDLE_TIMEOUT, derive(listener)).build();
    }

    private static Timeout derive(TransportProperties listener) {
        Preference keepAlive = listener.get(Property.KEEP_ALIVE, Role.LISTEN);
        if (keepAlive == Preference.REQUIRE || keepAlive == Preference.PREFER
                || !listener.get(Property.KEEP_ALIVE_TIMEOUT).isNone()) {
            return Timeout.NONE;
        }
        Timeout fallback = Property.IDLE_TIMEOUT.defaultFor(Role.LISTEN);
        Timeout connTimeout = listener.get(Property.CONN_TIMEOUT);
        if (!connTimeout.isNone() && connTimeout.duration().compareTo(fallback.duration()) > 0) {
            return connTimeout;
        }
        return fallback;
    }
}
