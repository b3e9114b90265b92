package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import org.jspecify.annotations.Nullable;

/**
 * Names the taps property profile ({@code taps.profiles.<name>}) a Connection was made from, for
 * the {@code profile} tag of the taps meters. Core Connections do not know their profile, so the
 * Spring layer answers from what it knows (the listener registry for accepted Connections, the
 * clients for the Connections they initiated).
 */
@FunctionalInterface
public interface ConnectionProfiles {

    /** The tag value used when the profile is unknown. */
    String UNKNOWN = "none";

    /** Answers {@link #UNKNOWN} for every Connection. */
    ConnectionProfiles NONE = (connection, acceptedBy) -> UNKNOWN;

    /**
     * The profile of {@code connection}; {@code acceptedBy} is the Listener that accepted it, or
     * null for an initiated Connection. Never null: {@link #UNKNOWN} when not known.
     */
    String profileOf(Connection connection, @Nullable Listener acceptedBy);

    /**
     * The name of the {@code taps.clients.<name>} client that initiated {@code connection}, for the
     * {@code taps.client} tag; {@link #UNKNOWN} for accepted Connections and those no client made.
     */
    default String clientOf(Connection connection, @Nullable Listener acceptedBy) {
        return UNKNOWN;
    }
}
