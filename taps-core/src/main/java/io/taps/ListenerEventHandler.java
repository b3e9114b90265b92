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
}
