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
 * @param group         the id of its Connection Group (RFC 9622 §7.4), as in the {@code groups} section
 * @param protocolStack the chosen stack; null while establishing
 * @param local         the local endpoint in use
 * @param remote        the remote endpoint in use; {@code ******} unless values are shown
 *                      ({@code management.endpoint.taps.show-values})
 * @param applicationProtocol the negotiated ALPN protocol, if any
 * @param security      what its security handshake negotiated; null without security
 * @param establishment how it was established (racing, RFC 9623 §4); null for an accepted
 *                      Connection, which raced nothing
 * @param transfer      what it has carried so far (its transfer report)
 * @param multipath     the multipath properties in effect once established (RFC 9622 §6.2.14,
 *                      §6.2.15, §8.1.7); null while establishing
 * @param client        the {@code taps.clients} client that initiated it, if one did
 * @param profile       the property profile of that client, if one initiated it
 */
public record ConnectionDescriptor(String id, String state, String role, @Nullable String listener, String group,
        @Nullable String protocolStack, @Nullable String local, @Nullable String remote,
        @Nullable String applicationProtocol, @Nullable SecurityDescriptor security,
        @Nullable EstablishmentDescriptor establishment, TransferDescriptor transfer,
        @Nullable MultipathDescriptor multipath, @Nullable String client, @Nullable String profile) {

    /** A Connection no {@code taps.clients} client initiated. */
    public ConnectionDescriptor(String id, String state, String role, @Nullable String listener, String group,
            @Nullable String protocolStack, @Nullable String local, @Nullable String remote,
            @Nullable String applicationProtocol, @Nullable SecurityDescriptor security,
            @Nullable EstablishmentDescriptor establishment, TransferDescriptor transfer,
            @Nullable MultipathDescriptor multipath) {
        this(id, state, role, listener, group, protocolStack, local, remote, applicationProtocol, security,
                establishment, transfer, multipath, null, null);
    }

    /** This Connection as initiated by the {@code taps.clients} client {@code client} of {@code profile}. */
    public ConnectionDescriptor withClient(String client, String profile) {
        return new ConnectionDescriptor(id, state, role, listener, group, protocolStack, local, remote,
                applicationProtocol, security, establishment, transfer, multipath, client, profile);
    }

    /**
     * What the security handshake negotiated ({@code io.taps.security.SecurityOutcome}, RFC 9622
     * §6.3): never keys, sessions or whole certificates.
     *
     * @param protocolVersion        the TLS version, for example {@code TLSv1.3}
     * @param cipherSuite            the cipher suite, for example {@code TLS_AES_128_GCM_SHA256}
     * @param peerCertificateSubject the subject of the peer's leaf certificate (RFC 2253), null
     *                               when the peer sent none; {@code ******} unless values are shown
     * @param resumed                whether the handshake resumed an earlier session
     */
    public record SecurityDescriptor(String protocolVersion, String cipherSuite,
            @Nullable String peerCertificateSubject, boolean resumed) {
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
     * @param startedAt when establishment started (ISO-8601), the zero of every offset here, so
     *                  several Connections can be drawn on one time line; null when unknown (a
     *                  Connection a Listener accepted)
     * @param resolutions each name resolution (AAAA, A, HTTPS), for the waterfall's DNS phase
     */
    public record EstablishmentDescriptor(boolean finished, double elapsedMs, @Nullable String winner,
            List<AttemptDescriptor> attempts, List<String> notes, @Nullable String startedAt,
            List<ResolutionDescriptor> resolutions) {

        /** Without a wall-clock start and resolutions. */
        public EstablishmentDescriptor(boolean finished, double elapsedMs, @Nullable String winner,
                List<AttemptDescriptor> attempts, List<String> notes) {
            this(finished, elapsedMs, winner, attempts, notes, null, List.of());
        }
    }

    /**
     * One name resolution of the establishment (RFC 9623 §4.2), for a waterfall: a bar from
     * {@code startMs} to {@code endMs}.
     *
     * @param name    the host name asked
     * @param family  {@code AAAA}, {@code A} or {@code HTTPS}
     * @param answers how many addresses (records) it gave
     * @param startMs when it was asked, from the start of establishment, in milliseconds; null when unknown
     * @param endMs   when it answered or failed, from the start of establishment, in milliseconds
     * @param error   why it failed, if it did
     */
    public record ResolutionDescriptor(String name, String family, int answers, @Nullable Double startMs,
            double endMs, @Nullable String error) {
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
