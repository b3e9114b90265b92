package io.taps;

/**
 * Why a Transport Services operation failed: the error reasons of the implementation draft's
 * Appendix C (RFC 9623 Appendix C; checklist ERR-01..ERR-12), plus the few taps adds for
 * situations the draft leaves open.
 *
 * <p>Every {@link TransportServicesException} and every error event carries exactly one reason, so
 * an application can branch on it without parsing messages.
 */
public enum ErrorReason {
    /** ERR-01: the properties and endpoints are contradictory or incomplete. */
    INVALID_CONFIGURATION("InvalidConfiguration"),
    /** ERR-02: the configuration is valid, but no available protocol stack satisfies it. */
    NO_CANDIDATES("NoCandidates"),
    /** ERR-03: a local or remote endpoint could not be resolved. */
    RESOLUTION_FAILED("ResolutionFailed"),
    /** ERR-04: no transport-layer connection could be established to the remote endpoint. */
    ESTABLISHMENT_FAILED("EstablishmentFailed"),
    /** ERR-05: system policy forbids the requested action. */
    POLICY_PROHIBITED("PolicyProhibited"),
    /** ERR-06: the protocol stack cannot be cloned. */
    NOT_CLONEABLE("NotCloneable"),
    /** ERR-07: the message is too big for the transport system to handle. */
    MESSAGE_TOO_LARGE("MessageTooLarge"),
    /** ERR-08: the underlying protocol stack failed. */
    PROTOCOL_FAILED("ProtocolFailed"),
    /** ERR-09: message properties contradict the transport properties or cannot be satisfied. */
    INVALID_MESSAGE_PROPERTIES("InvalidMessageProperties"),
    /** ERR-10: received data could not be deframed. */
    DEFRAMING_FAILED("DeframingFailed"),
    /** ERR-11: the peer aborted the connection. */
    CONNECTION_ABORTED("ConnectionAborted"),
    /** ERR-12: delivery or establishment did not complete before a timeout. */
    TIMEOUT("Timeout"),
    /** The application aborted the connection locally (RFC 9622 §10: ConnectionError after Abort). */
    LOCAL_ABORT("LocalAbort"),
    /** The connection is closing or closed, so the action can no longer be carried out. */
    CONNECTION_CLOSED("ConnectionClosed"),
    /** A Final message was already sent, so no further message can be sent (RFC 9622 §9.1.3.5). */
    FINAL_MESSAGE_SENT("FinalMessageSent"),
    /** taps refused to queue more data: the connection's send queue limit is reached. */
    SEND_QUEUE_FULL("SendQueueFull"),
    /** A property name is unknown or its value has the wrong type or range. */
    INVALID_PROPERTY("InvalidProperty"),
    /** The property is valid but does not apply to this connection's protocol stack (CP-X1). */
    PROPERTY_NOT_APPLICABLE("PropertyNotApplicable"),
    /** The local endpoint could not be bound, for example because the port is in use. */
    LISTEN_FAILED("ListenFailed"),
    /** The security handshake failed, for example because the peer's certificate is not trusted. */
    SECURITY_FAILED("SecurityFailed"),
    /**
     * A Listener could not accept an inbound connection, for example because the process ran out
     * of file descriptors; the Listener keeps listening and retries.
     */
    ACCEPT_FAILED("AcceptFailed"),
    /**
     * A proxy (RFC 9623 §4.1.2 protocol option, see {@link ProxyServer}) refused to open the tunnel
     * to the destination: a SOCKS5 reply other than "succeeded" (RFC 1928 §6, e.g. connection not
     * allowed by ruleset) or an HTTP CONNECT status other than 2xx and 407. The message carries the
     * proxy's answer.
     */
    PROXY_REFUSED("ProxyRefused"),
    /**
     * A proxy rejected the credentials given, or demanded authentication none was configured for:
     * SOCKS5 username/password status failure or no acceptable method (RFC 1929, RFC 1928 §3), HTTP
     * 407 Proxy Authentication Required (RFC 9110 §15.5.8; tinyproxy answers 401).
     */
    PROXY_AUTHENTICATION_FAILED("ProxyAuthenticationFailed");

    private final String rfcName;

    ErrorReason(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The reason's name as the specifications spell it, for example {@code NoCandidates}. */
    public String rfcName() {
        return rfcName;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}
