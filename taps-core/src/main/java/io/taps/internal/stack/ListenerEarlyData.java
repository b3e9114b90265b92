package io.taps.internal.stack;

import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;

/**
 * Whether a Listener accepts 0-RTT data (TCP Fast Open, TLS 1.3 early data on QUIC; RFC 9622
 * §6.2.5): only when the application opted in with the Listener's {@code zeroRttMsg} Require or
 * Prefer. Early data can be replayed by an attacker (RFC 8446 §8, RFC 9622 §9.1.3.4), so only an
 * application that knows its first Messages are safe to replay should accept it.
 */
public final class ListenerEarlyData {
    private ListenerEarlyData() {
    }

    /** Whether a Listener with {@code properties} accepts 0-RTT data. */
    public static boolean accepted(TransportProperties properties) {
        Preference zeroRtt = properties.get(Property.ZERO_RTT_MSG);
        return zeroRtt == Preference.REQUIRE || zeroRtt == Preference.PREFER;
    }
}
