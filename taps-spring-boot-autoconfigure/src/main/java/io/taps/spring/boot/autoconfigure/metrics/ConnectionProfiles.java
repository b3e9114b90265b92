package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import org.jspecify.annotations.Nullable;

/**
 * Names where a Connection belongs in the application's configuration, for the identity tags of
 * the taps meters and Observations ({@link TapsTagKeys#PROFILE}, {@link TapsTagKeys#LISTENER_ID}):
 * core Connections know neither their profile nor their listener id, so the Spring layer answers
 * from what it knows (the listener registry for accepted Connections). Each identity tag has its
 * own method with a default, so a new one (a client name beside the profile, say) is one more
 * default method and existing implementations keep working.
 */
@FunctionalInterface
public interface ConnectionProfiles {

    /** The tag value used when the profile is unknown. */
    String UNKNOWN = TapsTagKeys.NONE;

    /** Answers {@link #UNKNOWN} for every Connection. */
    ConnectionProfiles NONE = (connection, acceptedBy) -> UNKNOWN;

    /**
     * The profile of {@code connection}; {@code acceptedBy} is the Listener that accepted it, or
     * null for an initiated Connection. Never null: {@link #UNKNOWN} when not known.
     */
    String profileOf(Connection connection, @Nullable Listener acceptedBy);

    /**
     * The id of the listener that accepted {@code connection} ({@code @TapsListener(id = ...)}),
     * {@link #UNKNOWN} for an initiated Connection or an unnamed Listener. Never null.
     */
    default String listenerIdOf(Connection connection, @Nullable Listener acceptedBy) {
        return UNKNOWN;
    }

    /**
     * The name of the {@code taps.clients.<name>} client that initiated {@code connection}, for the
     * {@code taps.client} tag; {@link #UNKNOWN} for accepted Connections and those no client made.
     */
    default String clientOf(Connection connection, @Nullable Listener acceptedBy) {
        return UNKNOWN;
    }
}
