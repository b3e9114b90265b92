package io.taps.spring.boot.autoconfigure.metrics;

/**
 * The tag keys of every taps meter and low-cardinality key of every taps Observation, in one
 * {@code taps.*} scheme, so a dashboard filters meters and traces by the same names (table in
 * docs/observability.md). Values are low-cardinality: names from the application's configuration,
 * RFC 9622 names and small enumerations; never addresses or ports. A value that is not known is
 * {@link #NONE}.
 */
public final class TapsTagKeys {
    /** The value of a tag that does not apply or is not known, for example the listener of an initiated Connection. */
    public static final String NONE = "none";

    /** The taps property profile ({@code taps.profiles.<name>}) a Connection or Listener was made from. */
    public static final String PROFILE = "taps.profile";
    /** The {@code @TapsListener} id of the Listener that accepted the Connection (RFC 9622 §7.2). */
    public static final String LISTENER_ID = "taps.listener.id";
    /** The protocol stack in use, for example {@code TLS/TCP} or {@code QUIC}. */
    public static final String PROTOCOL_STACK = "taps.protocol.stack";
    /** How the Connection came to be: {@code initiate} (RFC 9622 §7.1) or {@code listen} (§7.2). */
    public static final String ROLE = "taps.role";
    /** {@code in} (Received, §9.3) or {@code out} (Sent, §9.2). */
    public static final String DIRECTION = "taps.direction";
    /** The outcome of an establishment or of one racing attempt. */
    public static final String OUTCOME = "taps.outcome";
    /** How many racing attempts an establishment started (RFC 9623 §4.3). */
    public static final String ATTEMPTS = "taps.attempts";
    /** The RFC 9622 name of an error's reason, for example {@code EstablishmentFailed}. */
    public static final String ERROR_REASON = "taps.error.reason";
    /** Where an error was reported: {@code establishment}, {@code connection}, {@code send} or {@code receive}. */
    public static final String ERROR_KIND = "taps.error.kind";
    /** Which cache of the Cached State (RFC 9623 §9): {@code performance}, {@code dns} or {@code tls}. */
    public static final String CACHE = "taps.cache";

    private TapsTagKeys() {
    }
}
