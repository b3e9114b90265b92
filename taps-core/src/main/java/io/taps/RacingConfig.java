package io.taps;

import java.time.Duration;
import java.util.Objects;

/**
 * The timers and limits of candidate racing (RFC 9623 §4.2 and §4.3, RFC 9622 §7.1; design.md
 * checklist M-72). Immutable; set with {@code TransportServices.Builder.racing}.
 *
 * <p>Defaults follow Happy Eyeballs v3 (draft-ietf-happy-happyeyeballs-v3, "Summary of
 * Configurable Values"), which keeps RFC 8305's values:
 * <ul>
 *   <li>{@link #resolutionDelay()} 50 ms: after A answers, how long to wait for AAAA before racing
 *       IPv4 alone; later AAAA answers still join the race;</li>
 *   <li>{@link #connectionAttemptDelay()} 250 ms: the stagger between two attempts that differ
 *       only in the remote address;</li>
 *   <li>{@link #minimumAttemptDelay()} 100 ms and {@link #maximumAttemptDelay()} 2 s: every delay
 *       is clamped into this band. A minimum configured below 10 ms is raised to 10 ms, because
 *       RFC 8305 §5 says the delay MUST NOT be below 10 ms;</li>
 *   <li>{@link #protocolDelay()} and {@link #pathDelay()}: the stagger when the next attempt differs
 *       in its protocol stack or its local path. HEv3 applies one Connection Attempt Delay to every
 *       attempt (it races QUIC and TCP with the same timer), and RFC 9623 §4.3 leaves these delays
 *       to the implementation, so both default to the connection attempt delay;</li>
 *   <li>{@link #maxLeaves()} 64 and {@link #maxAddressesPerHost()} 16: the bounds of the candidate
 *       tree (M-72, Q-19).</li>
 * </ul>
 * The next attempt always starts at once when the previous one fails.
 */
public final class RacingConfig {
    /** RFC 8305 §5: the connection attempt delay MUST NOT be below 10 ms. */
    public static final Duration ABSOLUTE_MINIMUM_DELAY = Duration.ofMillis(10);

    private static final RacingConfig DEFAULTS = builder().build();

    private final Duration resolutionDelay;
    private final Duration connectionAttemptDelay;
    private final Duration minimumAttemptDelay;
    private final Duration maximumAttemptDelay;
    private final Duration pathDelay;
    private final Duration protocolDelay;
    private final int maxLeaves;
    private final int maxAddressesPerHost;

    private RacingConfig(Builder b) {
        this.resolutionDelay = b.resolutionDelay;
        this.minimumAttemptDelay = max(b.minimumAttemptDelay, ABSOLUTE_MINIMUM_DELAY);
        this.maximumAttemptDelay = b.maximumAttemptDelay;
        if (minimumAttemptDelay.compareTo(maximumAttemptDelay) > 0) {
            throw invalid("minimumAttemptDelay (" + minimumAttemptDelay.toMillis()
                    + " ms) must not exceed maximumAttemptDelay (" + maximumAttemptDelay.toMillis() + " ms)");
        }
        this.connectionAttemptDelay = clamp(b.connectionAttemptDelay);
        this.pathDelay = clamp(b.pathDelay == null ? b.connectionAttemptDelay : b.pathDelay);
        this.protocolDelay = clamp(b.protocolDelay == null ? b.connectionAttemptDelay : b.protocolDelay);
        this.maxLeaves = b.maxLeaves;
        this.maxAddressesPerHost = b.maxAddressesPerHost;
    }

    /** The defaults listed on the class. */
    public static RacingConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder().resolutionDelay(resolutionDelay).minimumAttemptDelay(minimumAttemptDelay)
                .maximumAttemptDelay(maximumAttemptDelay).connectionAttemptDelay(connectionAttemptDelay)
                .pathDelay(pathDelay).protocolDelay(protocolDelay).maxLeaves(maxLeaves)
                .maxAddressesPerHost(maxAddressesPerHost);
    }

    /** How long to wait for AAAA once A has answered (HEv3 Resolution Delay). */
    public Duration resolutionDelay() {
        return resolutionDelay;
    }

    /** The stagger between attempts that differ in the remote address, already clamped. */
    public Duration connectionAttemptDelay() {
        return connectionAttemptDelay;
    }

    /** The lower bound of every stagger; never below {@link #ABSOLUTE_MINIMUM_DELAY}. */
    public Duration minimumAttemptDelay() {
        return minimumAttemptDelay;
    }

    /** The upper bound of every stagger. */
    public Duration maximumAttemptDelay() {
        return maximumAttemptDelay;
    }

    /** The stagger between attempts on different local paths, already clamped. */
    public Duration pathDelay() {
        return pathDelay;
    }

    /** The stagger between attempts with different protocol stacks, already clamped. */
    public Duration protocolDelay() {
        return protocolDelay;
    }

    /** The most leaves (attempts) one establishment may have (M-72). */
    public int maxLeaves() {
        return maxLeaves;
    }

    /** The most addresses kept per host name (M-72, M-75). */
    public int maxAddressesPerHost() {
        return maxAddressesPerHost;
    }

    /** {@code delay} clamped into [minimumAttemptDelay, maximumAttemptDelay]. */
    public Duration clamp(Duration delay) {
        Duration d = max(delay, minimumAttemptDelay);
        return d.compareTo(maximumAttemptDelay) > 0 ? maximumAttemptDelay : d;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "racing: " + message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RacingConfig c && resolutionDelay.equals(c.resolutionDelay)
                && connectionAttemptDelay.equals(c.connectionAttemptDelay)
                && minimumAttemptDelay.equals(c.minimumAttemptDelay)
                && maximumAttemptDelay.equals(c.maximumAttemptDelay) && pathDelay.equals(c.pathDelay)
                && protocolDelay.equals(c.protocolDelay) && maxLeaves == c.maxLeaves
                && maxAddressesPerHost == c.maxAddressesPerHost;
    }

    @Override
    public int hashCode() {
        return Objects.hash(resolutionDelay, connectionAttemptDelay, minimumAttemptDelay, maximumAttemptDelay,
                pathDelay, protocolDelay, maxLeaves, maxAddressesPerHost);
    }

    @Override
    public String toString() {
        return "RacingConfig{resolutionDelay=" + resolutionDelay.toMillis() + "ms, connectionAttemptDelay="
                + connectionAttemptDelay.toMillis() + "ms, min=" + minimumAttemptDelay.toMillis() + "ms, max="
                + maximumAttemptDelay.toMillis() + "ms, pathDelay=" + pathDelay.toMillis() + "ms, protocolDelay="
                + protocolDelay.toMillis() + "ms, maxLeaves=" + maxLeaves + ", maxAddressesPerHost="
                + maxAddressesPerHost + '}';
    }

    /**
     * Builds a {@link RacingConfig} (RFC 9623 §4.3, Q-2, M-72). Each value is checked as it is set
     * and fails with {@link ErrorReason#INVALID_CONFIGURATION}; the delays are clamped at
     * {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private Duration resolutionDelay = Duration.ofMillis(50);
        private Duration connectionAttemptDelay = Duration.ofMillis(250);
        private Duration minimumAttemptDelay = Duration.ofMillis(100);
        private Duration maximumAttemptDelay = Duration.ofSeconds(2);
        private Duration pathDelay;
        private Duration protocolDelay;
        private int maxLeaves = 64;
        private int maxAddressesPerHost = 16;

        private Builder() {
        }

        /** Resolution Delay (default 50 ms); zero starts on A at once. */
        public Builder resolutionDelay(Duration delay) {
            this.resolutionDelay = nonNegative("resolutionDelay", delay);
            return this;
        }

        /** Connection Attempt Delay (default 250 ms), clamped into [minimum, maximum]. */
        public Builder connectionAttemptDelay(Duration delay) {
            this.connectionAttemptDelay = nonNegative("connectionAttemptDelay", delay);
            return this;
        }

        /** Minimum Connection Attempt Delay (default 100 ms); below 10 ms counts as 10 ms. */
        public Builder minimumAttemptDelay(Duration delay) {
            this.minimumAttemptDelay = nonNegative("minimumAttemptDelay", delay);
            return this;
        }

        /** Maximum Connection Attempt Delay (default 2 s). */
        public Builder maximumAttemptDelay(Duration delay) {
            this.maximumAttemptDelay = nonNegative("maximumAttemptDelay", delay);
            return this;
        }

        /** Stagger between local paths (default: the connection attempt delay). */
        public Builder pathDelay(Duration delay) {
            this.pathDelay = nonNegative("pathDelay", delay);
            return this;
        }

        /** Stagger between protocol stacks (default: the connection attempt delay). */
        public Builder protocolDelay(Duration delay) {
            this.protocolDelay = nonNegative("protocolDelay", delay);
            return this;
        }

        /** Most leaves of the candidate tree (default 64, at least 1). */
        public Builder maxLeaves(int leaves) {
            if (leaves < 1) {
                throw invalid("maxLeaves must be at least 1, was " + leaves);
            }
            this.maxLeaves = leaves;
            return this;
        }

        /** Most addresses per host name (default 16, at least 1). */
        public Builder maxAddressesPerHost(int addresses) {
            if (addresses < 1) {
                throw invalid("maxAddressesPerHost must be at least 1, was " + addresses);
            }
            this.maxAddressesPerHost = addresses;
            return this;
        }

        /** The configuration; fails when the minimum exceeds the maximum. */
        public RacingConfig build() {
            return new RacingConfig(this);
        }

        private static Duration nonNegative(String name, Duration delay) {
            if (delay == null) {
                throw invalid(name + " must not be null");
            }
            if (delay.isNegative()) {
                throw invalid(name + " must not be negative, was " + delay);
            }
            return delay;
        }
    }
}
