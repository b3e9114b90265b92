package io.taps.internal.selection;

import static io.taps.properties.Property.ACTIVE_READ_BEFORE_SEND;
import static io.taps.properties.Property.ADVERTISES_ALTADDR;
import static io.taps.properties.Property.CONGESTION_CONTROL;
import static io.taps.properties.Property.FULL_CHECKSUM_RECV;
import static io.taps.properties.Property.FULL_CHECKSUM_SEND;
import static io.taps.properties.Property.KEEP_ALIVE;
import static io.taps.properties.Property.MULTIPATH;
import static io.taps.properties.Property.MULTIPATH_TRANSPORT;
import static io.taps.properties.Property.MULTISTREAMING;
import static io.taps.properties.Property.PER_MSG_RELIABILITY;
import static io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES;
import static io.taps.properties.Property.PRESERVE_ORDER;
import static io.taps.properties.Property.RELIABILITY;
import static io.taps.properties.Property.SOFT_ERROR_NOTIFY;
import static io.taps.properties.Property.USE_TEMPORARY_LOCAL_ADDRESS;
import static io.taps.properties.Property.ZERO_RTT_MSG;

import io.taps.security.TlsVersion;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.util.List;

/**
 * The stacks taps-core offers on Netty, with the Selection Properties (RFC 9622 §6.2) each
 * one honestly provides today on Linux, so that a Require the implementation cannot meet fails with
 * NoCandidates at configuration time (SEL-04a) instead of silently degrading.
 *
 * <p>What is deliberately NEVER: TLS 1.3 early data over TCP (neither tcnative nor JSSE exposes
 * early data to Netty's SslHandler), multipath (MPTCP is its own plug-in, {@code internal.mptcp}), TCP soft errors (the kernel does not surface ICMP for TCP
 * sockets through Netty), per-message reliability on TCP and UDP (no SCTP; QUIC has it through datagrams), temporary local
 * addresses (RFC 9622 §6.2.13: the JVM cannot choose or see an IPv6 privacy address, RFC 8981, so
 * taps binds what the kernel picks and cannot promise one). Multistreaming is QUIC's alone.
 *
 * <p>Every OPTIONAL entry has code that turns it on (issue 15 item 8): {@code keepAlive} sets
 * SO_KEEPALIVE on TCP ({@code StackConnector}) and QUIC PINGs; {@code softErrorNotify} on UDP
 * raises SoftError for ICMP errors of the connected socket ({@code Lifecycle}); {@code zeroRttMsg}
 * on QUIC sends the InitiateWithSend Message as early data ({@code QuicConnector}), on TCP in the
 * SYN with TCP Fast Open ({@code TcpFastOpen}; the stack's unusableReason refuses a Require where
 * the kernel has it off, off epoll, or for an isolated session);
 * {@code activeReadBeforeSend} needs none on TCP and UDP (the handshake or the connected socket makes
 * a Connection the peer can answer before it sends). On QUIC it is NEVER: a peer learns of a
 * stream only from its first STREAM frame (RFC 9000 §2.1), so a client that reads first would wait
 * for a server that has not seen it. docs/ARCHITECTURE.md lists every property with how it is applied.
 */
public final class BuiltInStacks {
    /** Plain TCP: reliable, ordered, congestion-controlled byte stream. */
    public static final StackCapabilities TCP = tcpLike("TCP", false);

    /** TLS over TCP: TCP's capabilities plus security (C-08). */
    public static final StackCapabilities TLS_TCP = tcpLike("TLS/TCP", true);

    /**
     * UDP: unreliable datagrams. The first datagram needs no handshake, so 0-RTT is always
     * available; a connected UDP socket reports ICMP port unreachable, hence optional soft errors.
     */
    public static final StackCapabilities UDP = StackCapabilities.builder("UDP").secure(false).byteStream(false)
            .support(RELIABILITY, Support.NEVER)
            .support(PRESERVE_MSG_BOUNDARIES, Support.ALWAYS)
            .support(PER_MSG_RELIABILITY, Support.NEVER)
            .support(PRESERVE_ORDER, Support.NEVER)
            .support(ZERO_RTT_MSG, Support.ALWAYS)
            .support(MULTISTREAMING, Support.NEVER)
            .support(FULL_CHECKSUM_SEND, Support.ALWAYS)
            .support(FULL_CHECKSUM_RECV, Support.ALWAYS)
            .support(CONGESTION_CONTROL, Support.NEVER)
            .support(KEEP_ALIVE, Support.NEVER)
            .support(USE_TEMPORARY_LOCAL_ADDRESS, Support.NEVER)
            .support(MULTIPATH, Support.NEVER)
            .support(ADVERTISES_ALTADDR, Support.NEVER)
            .support(MULTIPATH_TRANSPORT, Support.NEVER)
            .support(SOFT_ERROR_NOTIFY, Support.OPTIONAL)
            .support(ACTIVE_READ_BEFORE_SEND, Support.OPTIONAL)
            .build();

    /**
     * QUIC (RFC 9000, design.md Q-15): reliable, congestion-controlled, always secure (TLS 1.3 only,
     * RFC 9001) and always multistreaming; each stream is a byte stream ordered within itself, so
     * message boundaries need a framer, exactly as on TCP. Session resumption with 0-RTT early
     * data is possible (RFC 9001 §4.6), hence 0-RTT is optional. With QUIC datagrams (RFC 9221,
     * docs/quic.md) reliability, order and message boundaries are optional: reliability Avoid or
     * Prohibit makes the Connection a datagram Connection (unreliable, unordered, one Message per
     * DATAGRAM frame), and a stream Connection sends msgReliable=false Messages as DATAGRAM frames
     * (per-message reliability); QuicStack refuses the uses a stream cannot honour (boundaries
     * without a framer, preserveOrder Prohibit). Keep-alive is QUIC's own PING
     * at the idle timeout, so it is optional; soft errors are not surfaced by the codec. A stream
     * exists for the peer only once it carries data, so reading before sending is never offered.
     */
    public static final StackCapabilities QUIC = StackCapabilities.builder("QUIC").secure(true).byteStream(true)
            .tlsVersions(TlsVersion.TLS_1_3)
            .support(RELIABILITY, Support.OPTIONAL)
            .support(PRESERVE_MSG_BOUNDARIES, Support.OPTIONAL)
            .support(PER_MSG_RELIABILITY, Support.OPTIONAL)
            .support(PRESERVE_ORDER, Support.OPTIONAL)
            .support(ZERO_RTT_MSG, Support.OPTIONAL)
            .support(MULTISTREAMING, Support.ALWAYS)
            .support(FULL_CHECKSUM_SEND, Support.ALWAYS)
            .support(FULL_CHECKSUM_RECV, Support.ALWAYS)
            .support(CONGESTION_CONTROL, Support.ALWAYS)
            .support(KEEP_ALIVE, Support.OPTIONAL)
            .support(USE_TEMPORARY_LOCAL_ADDRESS, Support.NEVER)
            .support(MULTIPATH, Support.NEVER)
            .support(ADVERTISES_ALTADDR, Support.NEVER)
            .support(MULTIPATH_TRANSPORT, Support.NEVER)
            .support(SOFT_ERROR_NOTIFY, Support.NEVER)
            .support(ACTIVE_READ_BEFORE_SEND, Support.NEVER)
            .build();

    private static final List<StackCapabilities> ALL = List.of(TCP, TLS_TCP, UDP, QUIC);

    private BuiltInStacks() {
    }

    private static StackCapabilities tcpLike(String name, boolean secure) {
        StackCapabilities.Builder builder = StackCapabilities.builder(name).secure(secure).byteStream(true)
                .propertyNamespace("tcp");
        if (secure) {
            builder.tlsVersions(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
        }
        return builder
                .support(RELIABILITY, Support.ALWAYS)
                .support(PRESERVE_MSG_BOUNDARIES, Support.NEVER)
                .support(PER_MSG_RELIABILITY, Support.NEVER)
                .support(PRESERVE_ORDER, Support.ALWAYS)
                // Plain TCP: TCP Fast Open where the kernel allows it (the stack refuses a Require
                // it cannot meet); TLS/TCP: Netty's TLS engines have no early-data API.
                .support(ZERO_RTT_MSG, secure ? Support.NEVER : Support.OPTIONAL)
                .support(MULTISTREAMING, Support.NEVER)
                .support(FULL_CHECKSUM_SEND, Support.ALWAYS)
                .support(FULL_CHECKSUM_RECV, Support.ALWAYS)
                .support(CONGESTION_CONTROL, Support.ALWAYS)
                .support(KEEP_ALIVE, Support.OPTIONAL)
                .support(USE_TEMPORARY_LOCAL_ADDRESS, Support.NEVER)
                .support(MULTIPATH, Support.NEVER)
                .support(ADVERTISES_ALTADDR, Support.NEVER)
                .support(MULTIPATH_TRANSPORT, Support.NEVER)
            .support(MULTIPATH_TRANSPORT, Support.NEVER)
                .support(SOFT_ERROR_NOTIFY, Support.NEVER)
                .support(ACTIVE_READ_BEFORE_SEND, Support.OPTIONAL)
                .build();
    }

    /** TCP, TLS/TCP, UDP, QUIC, in this order (the input order breaks ranking ties, C-18). */
    public static List<StackCapabilities> all() {
        return ALL;
    }
}
