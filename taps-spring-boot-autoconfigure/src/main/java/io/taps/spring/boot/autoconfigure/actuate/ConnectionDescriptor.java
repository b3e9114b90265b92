package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One Connection in the taps endpoint (RFC 9622 §7–§11) with the summary of how it was
 * established (RFC 9623 §4). Never holds security parameters or key material.
 *
 * @param id            stable id while the Connection lives, for {@code /actuator/taps/{id}}
 * @param state         {@code ESTABLISHING}, {@code ESTABLISHED}, {@code CLOSING} or {@code CLOSED}
 * @param role          {@code initiate} or {@code listen} (accepted by a Listener)
 * @param listener      the id of the Listener that accepted it, if any
 * @param protocolStack the chosen stack; null while establishing
 * @param local         the local endpoint in use
 * @param remote        the remote endpoint in use
 * @param applicationProtocol the negotiated ALPN protocol, if any
 * @param establishment how it was established
 * @param transfer      what it has carried so far (its transfer report)
 * @param multipath     the multipath properties in effect once established (RFC 9622 §6.2.14,
 *                      §6.2.15, §8.1.7); null while establishing
 * @param client        the {@code taps.clients} client that initiated it, if one did
 * @param profile       the property profile of that client, if one initiated it
 */
public record ConnectionDescriptor(String id, String state, String role, @Nullable String listener,
        @Nullable String protocolStack, @Nullable String local, @Nullable String remote,
        @Nullable String applicationProtocol, EstablishmentDescriptor establishment, TransferDescriptor transfer,
        @Nullable MultipathDescriptor multipath, @Nullable String client, @Nullable String profile) {

    /** A Connection no {@code taps.clients} client initiated. */
    public ConnectionDescriptor(String id, String state, String role, @Nullable String listener,
            @Nullable String protocolStack, @Nullable String local, @Nullable String remote,
            @Nullable String applicationProtocol, EstablishmentDescriptor establishment, TransferDescriptor transfer,
            @Nullable MultipathDescriptor multipath) {
        this(id, state, role, listener, protocolStack, local, remote, applicationProtocol, establishment, transfer,
                multipath, null, null);
    }

    /**
     * The multipath properties as the Connection reports them (GetProperties, RFC 9622 §8): what
     * the stack applied, so {@code DISABLED} on TCP and after an MPTCP peer fell back to TCP
     * (docs/multipath.md).
     *
     * @param multipath         {@code multipath} (§6.2.14): {@code DISABLED}, {@code ACTIVE} or {@code PASSIVE}
     * @param advertisesAltaddr {@code advertisesAltaddr} (§6.2.15): whether other addresses are announced
     * @param multipathPolicy   {@code multipathPolicy} (§8.1.7), a hint on Linux
     */
    public record MultipathDescriptor(String multipath, boolean advertisesAltaddr, String multipathPolicy) {
    }

    /**
     * The Connection's transfer report ({@code io.taps.monitor.TransferReport}; RFC 9621 §3.5 statistics,
     * checklist C-19): application bytes and Messages each way, the smoothed RTT where the stack
     * knows it, and how long it has been Ready.
     *
     * @param bytesSent        application bytes of every Sent Message
     * @param bytesReceived    application bytes that arrived, after the framers
     * @param messagesSent     Sent events
     * @param messagesReceived complete Messages that arrived
     * @param smoothedRttMs    the transport's smoothed RTT in milliseconds; null when unknown
     * @param durationMs       from Ready to Closed (or now), in milliseconds
     * @param readyAt          when it became Ready (ISO-8601); null before
     */
    public record TransferDescriptor(long bytesSent, long bytesReceived, long messagesSent, long messagesReceived,
            @Nullable Double smoothedRttMs, double durationMs, @Nullable String readyAt) {
    }

    /**
     * The establishment report's summary (RFC 9623 §4.1–§4.3).
     *
     * @param finished  whether racing is over
     * @param elapsedMs milliseconds from the first attempt to the outcome (fractional)
     * @param winner    the winning candidate, described
     * @param attempts  every started attempt, by start offset
     * @param notes     remarks of the establisher (for example an unsupported preference)
     */
    public record EstablishmentDescriptor(boolean finished, double elapsedMs, @Nullable String winner,
            List<AttemptDescriptor> attempts, List<String> notes) {
    }

    /**
     * One racing attempt, for a waterfall: a bar from {@code startMs} for {@code durationMs}.
     *
     * @param stack      the attempt's protocol stack
     * @param remote     the address it tried, for example {@code [::1]:7000}
     * @param path       the local path
     * @param startMs    start offset from the first attempt, in milliseconds (fractional)
     * @param durationMs how long it ran, in milliseconds; null while running
     * @param outcome    {@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED} or {@code RUNNING}
     * @param proxy      the proxy the attempt tunnelled through (RFC 9623 §4.1.2), null when direct
     * @param reason     the RFC 9622 error name of a failed attempt
     * @param message    what went wrong, if anything
     * @param earlyData  whether it sent the InitiateWithSend Message before its handshake completed
     *                   (0-RTT: QUIC early data, TCP Fast Open SYN data; RFC 9622 §6.2.5)
     */
    public record AttemptDescriptor(String stack, String remote, String path, double startMs,
            @Nullable Double durationMs, String outcome, @Nullable String reason, @Nullable String message,
            @Nullable String proxy, boolean earlyData) {

        /** A direct attempt. */
        public AttemptDescriptor(String stack, String remote, String path, double startMs, @Nullable Double durationMs,
                String outcome, @Nullable String reason, @Nullable String message) {
            this(stack, remote, path, startMs, durationMs, outcome, reason, message, null, false);
        }
    }
}
