package io.taps.spring.client;

import java.time.Duration;

/**
 * The checked settings of one client ({@code taps.clients.<name>.*}).
 *
 * @param requestTimeout how long a call waits for a Connection, Sent and its reply
 * @param initialBackoff the delay before the first new attempt after a Connection was lost
 * @param maxBackoff the longest delay between attempts
 * @param multiplier the growth of the delay after each failed attempt (at least 1)
 * @param maxConnections most Connections of a multiplexed Connection Group used at once
 * @param maxPending most calls in flight or waiting
 */
public record TapsClientOptions(Duration requestTimeout, Duration initialBackoff, Duration maxBackoff,
        double multiplier, int maxConnections, int maxPending) {

    public TapsClientOptions {
        requirePositive(requestTimeout, "request-timeout");
        requirePositive(initialBackoff, "reconnect.initial-backoff");
        requirePositive(maxBackoff, "reconnect.max-backoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("reconnect.max-backoff (" + maxBackoff
                    + ") must not be shorter than reconnect.initial-backoff (" + initialBackoff + ")");
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("reconnect.multiplier must be at least 1, not " + multiplier);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("pool.max-connections must be at least 1, not " + maxConnections);
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("pool.max-pending must be at least 1, not " + maxPending);
        }
    }

    private static void requirePositive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, not " + value);
        }
    }
}
