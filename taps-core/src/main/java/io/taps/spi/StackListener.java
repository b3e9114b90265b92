package io.taps.spi;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.SecurityParameters;

/**
 * The sockets a {@link ProtocolStack} listens on for one Listener (RFC 9622 §7.2), as returned by
 * {@link ProtocolStack#listen(StackBinding)}. The Listener calls it from any thread.
 */
public interface StackListener {

    /**
     * Pauses ({@code false}) or resumes accepting new flows, when the Listener's new-connection
     * limit or concurrency cap is reached (RFC 9622 §7.2 SetNewConnectionLimit). A stack that
     * cannot hold flows back (a shared UDP socket) may ignore it: the Listener then holds or drops
     * what it accepts, as {@link StackBinding#mayAccept()} says.
     */
    void setAccepting(boolean accept);

    /**
     * The accept backlog (SO_BACKLOG) the listening sockets were given, as in effect after the
     * kernel's clamp, for {@code Listener.listenBacklog()}; empty for sockets without an accept
     * queue (datagram sockets).
     */
    default java.util.OptionalInt listenBacklog() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Closes the listening sockets (RFC 9622 §7.2 Stop) and runs {@code whenClosed} once they are
     * closed. Whether the Connections already accepted outlive the sockets is the stack's nature
     * (TCP: yes; QUIC: the sockets carry them, so they close too).
     */
    void close(Runnable whenClosed);

    /**
     * Prepares {@code security} for the flows this stack accepts from now on (RFC 9622 §6.3 Security
     * Parameters, §7.2 Listener; taps' {@code Listener.updateSecurity}, e.g. a renewed certificate):
     * builds whatever the stack derives from the parameters, such as its TLS context, and returns
     * the step that makes them current. Flows accepted before keep what they were accepted with.
     *
     * <p>taps calls this only for a {@linkplain StackCapabilities#secure() secure} stack, never on an
     * event loop (building a TLS context may take milliseconds), and for every secure stack of the
     * Listener before it runs any returned step, so that an update reaches every stack or none. The
     * returned step must not block; it may run on any thread.
     *
     * <p>The default refuses: a secure stack that does not override it cannot change its security
     * while it listens, and the update fails without changing anything.
     *
     * @param security the new Security Parameters; their level and allowed TLS versions are those
     *     the Listener was selected with
     * @return what makes {@code security} current for new flows
     * @throws TransportServicesException InvalidConfiguration when the stack cannot use
     *     {@code security} (e.g. no server identity) or cannot change its security while listening
     */
    default Runnable prepareSecurityUpdate(SecurityParameters security) {
        throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                "the protocol stack cannot change the Security Parameters of a running Listener");
    }
}
