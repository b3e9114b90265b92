package io.taps.internal.dtls;

import static io.taps.properties.Property.ACTIVE_READ_BEFORE_SEND;
import static io.taps.properties.Property.ADVERTISES_ALTADDR;
import static io.taps.properties.Property.CONGESTION_CONTROL;
import static io.taps.properties.Property.FULL_CHECKSUM_RECV;
import static io.taps.properties.Property.FULL_CHECKSUM_SEND;
import static io.taps.properties.Property.KEEP_ALIVE;
import static io.taps.properties.Property.MULTIPATH;
import static io.taps.properties.Property.MULTISTREAMING;
import static io.taps.properties.Property.PER_MSG_RELIABILITY;
import static io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES;
import static io.taps.properties.Property.PRESERVE_ORDER;
import static io.taps.properties.Property.RELIABILITY;
import static io.taps.properties.Property.SOFT_ERROR_NOTIFY;
import static io.taps.properties.Property.USE_TEMPORARY_LOCAL_ADDRESS;
import static io.taps.properties.Property.ZERO_RTT_MSG;

import io.taps.internal.security.DtlsContexts;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stack.TapsBinding;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.security.TlsVersion;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.util.Optional;

/**
 * DTLS 1.2 over UDP (RFC 6347; RFC 9622 §4.1 lists DTLS among the protocols a Connection may use)
 * as a {@link ProtocolStack}: UDP's unreliable, unordered, boundary-preserving datagrams, secured
 * with the same Security Parameters as TLS (RFC 9622 §6.3). It is what a secure Preconnection that
 * prohibits reliability selects; with security on, nothing ever falls back from it to plain UDP
 * (RFC 9621 §3.3, design.md Q-17: secure and cleartext stacks never race).
 *
 * <p>Driven by the JDK's {@code SSLEngine("DTLS")}; DTLS 1.3 (RFC 9147) has no provider on the JDK
 * (17 to 25), so a Preconnection that allows only TLS 1.3 cannot use it. The client is a connected
 * UDP channel ({@link DtlsConnector}); the Listener demultiplexes one UDP socket into associations
 * with stateless cookies ({@link DtlsSockets}). See docs/dtls.md.
 */
public final class DtlsStack implements ProtocolStack {
    /** The one DTLS/UDP stack of taps. */
    public static final DtlsStack INSTANCE = new DtlsStack();

    /**
     * Like UDP, except: the handshake comes first, so no 0-RTT; no soft errors (an ICMP error during
     * the handshake fails the attempt instead). Each Message is one record in one datagram.
     */
    public static final StackCapabilities CAPABILITIES = StackCapabilities.builder("DTLS/UDP").secure(true)
            .byteStream(false)
            .tlsVersions(TlsVersion.TLS_1_2)
            .support(RELIABILITY, io.taps.spi.Support.NEVER)
            .support(PRESERVE_MSG_BOUNDARIES, io.taps.spi.Support.ALWAYS)
            .support(PER_MSG_RELIABILITY, io.taps.spi.Support.NEVER)
            .support(PRESERVE_ORDER, io.taps.spi.Support.NEVER)
            .support(ZERO_RTT_MSG, io.taps.spi.Support.NEVER)
            .support(MULTISTREAMING, io.taps.spi.Support.NEVER)
            .support(FULL_CHECKSUM_SEND, io.taps.spi.Support.ALWAYS)
            .support(FULL_CHECKSUM_RECV, io.taps.spi.Support.ALWAYS)
            .support(CONGESTION_CONTROL, io.taps.spi.Support.NEVER)
            .support(KEEP_ALIVE, io.taps.spi.Support.NEVER)
            .support(USE_TEMPORARY_LOCAL_ADDRESS, io.taps.spi.Support.NEVER)
            .support(MULTIPATH, io.taps.spi.Support.NEVER)
            .support(ADVERTISES_ALTADDR, io.taps.spi.Support.NEVER)
            .support(SOFT_ERROR_NOTIFY, io.taps.spi.Support.NEVER)
            .support(ACTIVE_READ_BEFORE_SEND, io.taps.spi.Support.OPTIONAL)
            .build();

    private DtlsStack() {
    }

    @Override
    public StackCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * The network may duplicate a datagram, so, as for UDP (RFC 9622 §9.1.3.4), DTLS needs
     * safelyReplayable Messages: the JDK's DTLS engine keeps no replay window for application
     * records. DTLS 1.3 is not available, and a Rendezvous is not supported.
     */
    @Override
    public Optional<String> unusableReason(StackUse use) {
        if (!use.properties().messageDefaults().get(Property.SAFELY_REPLAYABLE)) {
            return Optional.of("messages are not safelyReplayable (RFC 9622 §9.1.3.4; DTLS datagrams may be"
                    + " duplicated by the network: use safelyReplayable(true))");
        }
        if (use.role() == Role.RENDEZVOUS) {
            return Optional.of("DTLS/UDP does not support Rendezvous");
        }
        return DtlsContexts.unusableReason(use.security());
    }

    /** A DTLS Listener needs a server identity: its context is built (and cached) now, so a bad one fails Listen. */
    @Override
    public void validate(StackUse use) {
        if (use.role() == Role.LISTEN) {
            DtlsContexts.forServer(use.security());
        }
    }

    @Override
    public void connect(StackAttempt attempt) {
        DtlsConnector.connect(TapsAttempt.of(attempt));
    }

    @Override
    public StackListener listen(StackBinding binding) {
        DtlsSockets sockets = new DtlsSockets(this, TapsBinding.of(binding));
        sockets.bind(binding.addresses());
        return sockets;
    }

    @Override
    public String portSpace() {
        return "udp";
    }

    /** Associations of every DTLS Listener in this JVM, handshaking or established (for tests and metrics). */
    public static int associationCount() {
        return DtlsSockets.ASSOCIATIONS.get();
    }

    /** Associations of the DTLS Listener socket bound to {@code local}, handshaking or established; 0 when none is bound there. */
    public static int associationCount(java.net.InetSocketAddress local) {
        DtlsSockets sockets = DtlsSockets.BOUND.get(local);
        return sockets == null ? 0 : sockets.associationCount();
    }

    @Override
    public String toString() {
        return CAPABILITIES.name();
    }
}
