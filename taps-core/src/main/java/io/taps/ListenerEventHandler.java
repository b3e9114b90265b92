package io.taps;

import java.net.InetSocketAddress;

/**
 * Receives the events of a {@link Listener} (RFC 9622 §7.2, checklist E-03..E-05). Only
 * {@link #connectionReceived} must be implemented, so a lambda is enough for a simple server.
 *
 * <p>{@code connectionReceived} runs before any other event of the new Connection, so it is the
 * place to call {@link Connection#setEventHandler} or to issue the first {@code receive}.
 */
@FunctionalInterface
public interface ListenerEventHandler {

    /** ConnectionReceived (E-03): a new established Connection from a remote endpoint. */
    void connectionReceived(Connection connection);

    /** EstablishmentError on the Listener (E-04, the drafts' ListenError), e.g. port in use. */
    default void establishmentError(Listener listener, TransportServicesException error) {
    }

    /**
     * A limit of the Listener is turning would-be Connections away (taps extension; RFC 9622 §7.2
     * leaves resource limits to the implementation): today the cap on how many remote endpoints of
     * a UDP Listener have a Connection at once ({@code _taps.maxConcurrentConnections}, 1024 by
     * default for UDP), above which datagrams from new remotes are dropped and counted. Raised
     * once per listening socket, not per dropped datagram; the error's reason is
     * {@link ErrorReason#POLICY_PROHIBITED} and its message says which limit and how to raise it.
     */
    default void limitReached(Listener listener, TransportServicesException notice) {
    }

    /**
     * An inbound connection was refused before it became a Connection (RFC 9622 §6.3 and §7.2: the
     * security handshake of a passive open failed): the client sent no certificate or an untrusted
     * one where client authentication is required, offered no ALPN protocol or TLS version in
     * common, sent something that is not TLS, or did not finish within the handshake timeout. The
     * reason is SecurityFailed or Timeout and names what failed. Nothing is delivered for this
     * client; the Listener keeps listening. The default ignores it.
     *
     * @param remote the client's address, or {@code null} when it is no longer known
     */
    default void connectionRejected(Listener listener, InetSocketAddress remote, TransportServicesException reason) {
    }

    /** Stopped (E-05): the Listener stopped and will deliver no further Connections. */
    default void stopped(Listener listener) {
    }

    /**
     * AcceptFailed (a taps event, not one of RFC 9622 §7.2's): the Listener could not accept an
     * inbound connection, reason {@link ErrorReason#ACCEPT_FAILED} with the system's error as the
     * cause, typically "Too many open files" (the process's file descriptor limit). Unlike
     * EstablishmentError, which ends a Listener, this one keeps listening: it pauses accepting
     * for a second and retries until an accept succeeds, while new clients wait in the kernel's
     * listen backlog ({@code _taps.listenBacklog}). Raised once per episode (and again only after
     * an accept has succeeded in between), so it is the place to alert, shed Connections or raise
     * the limit, not a per-client error.
     */
    default void acceptFailed(Listener listener, TransportServicesException error) {
    }
}
