package io.taps.connection;

import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;

/** The QUIC test parameters of {@link QuicConnectionTest} for tests in other packages. */
public final class QuicConnectionTestAccess {
    private QuicConnectionTestAccess() {
    }

    public static TransportProperties quicOnly() {
        return QuicConnectionTest.quicOnly();
    }

    public static SecurityParameters server() {
        return QuicConnectionTest.server();
    }

    public static SecurityParameters client() {
        return QuicConnectionTest.client();
    }
}
