package io.taps.spi;

import io.netty.channel.Channel;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import java.util.Optional;

/**
 * A protocol stack that taps can select, race and listen on: the protocol SPI of taps (RFC 9622 §4
 * "Transport Properties" and §4.1 protocol-specific properties; RFC 9623 §4 "Implementing
 * Connection Establishment" and §10 "Specific Transport Protocol Considerations"). Each
 * implementation maps the abstract Transport Services API onto one concrete stack, the way RFC
 * 9623 §10 maps it onto TCP, UDP, QUIC and the others.
 *
 * <p>TCP, TLS/TCP, UDP, QUIC and UDP multicast are built-in implementations, registered in every
 * {@code TransportServices} by default. An application or library adds its own with
 * {@code TransportServices.builder().protocol(stack)}: DTLS/UDP, MPTCP, a SOCKS5 or HTTP CONNECT
 * proxy tunnel and a Rendezvous stack are all meant to plug in here, without any change to
 * selection, racing or listening. The parts of taps that do not belong to a protocol never look at
 * a stack's name or type; everything they need to know, they ask through this interface:
 * <ol>
 *   <li><b>Selection</b> (RFC 9623 §4.1.3, RFC 9622 §6.2): {@link #capabilities()} declares how the
 *       stack provides each Selection Property and whether it is secure; {@link #unusableReason}
 *       removes it for a Preconnection it cannot serve whatever the properties (QUIC without an
 *       ALPN protocol, say); {@link #claims} lets a stack take a Preconnection alone (multicast
 *       groups), and {@link #claimsOnly()} keeps such a stack out of every other one. Only stacks with identical security race each other (design.md Q-17): a secure
 *       stack states the TLS versions it can negotiate in
 *       {@link StackCapabilities.Builder#tlsVersions}.</li>
 *   <li><b>Establishment</b> (RFC 9623 §4.4, §4.4.1): {@link #connect(StackAttempt)} starts one
 *       attempt of a race, one branch of the candidate tree: one resolved remote address on one
 *       local path. The racer starts, delays and cancels attempts; the stack only opens its
 *       channel and says when its own handshake is done.</li>
 *   <li><b>Listening</b> (RFC 9622 §7.2, RFC 9623 §4.7): {@link #listen(StackBinding)} binds the
 *       Listener's local addresses; a Listener listens on every eligible stack at once, at most
 *       one per {@link #portSpace() port space}.</li>
 *   <li><b>Clone</b> (RFC 9622 §7.4): by default a clone is a new attempt of this stack to the
 *       address the original won, with the original's security ({@link #cloneable()}); a
 *       multiplexing stack such as QUIC opens a new stream of the same connection instead.</li>
 *   <li><b>Options</b> (RFC 9622 §8.1): {@link #applyOption} maps a Connection Property to what the
 *       stack's channel offers (a socket option); taps reports as applied only what it accepted.</li>
 * </ol>
 *
 * <p>Every method may be called from any thread; {@link #connect} and {@link #listen} must not
 * block (they run on, or next to, Netty event loops) and report their outcome through the
 * attempt or binding they were given.
 */
public interface ProtocolStack {

    /**
     * What the stack can do (RFC 9622 §6.2, RFC 9623 §4.1.3); its {@link StackCapabilities#name()}
     * names the stack in reports and {@code Connection.protocolStack()}, and must be unique among
     * the stacks of one {@code TransportServices}.
     */
    StackCapabilities capabilities();

    /**
     * Why this stack cannot serve {@code use} whatever its Selection Properties say, or empty when it
     * can (RFC 9623 §4.1.3 pruning before anything is sent): e.g. QUIC needs an ALPN protocol and
     * TLS 1.3; UDP may duplicate messages, so it needs safelyReplayable ones. The reason is added to
     * the NoCandidates error when no stack is left. Selection asks only when the answer matters
     * (the stack meets the Selection Properties and, on Listen, no usable stack of its port space
     * ranks before it), so a check that loads a native library costs nothing to systems that never
     * need the stack.
     */
    default Optional<String> unusableReason(StackUse use) {
        return Optional.empty();
    }

    /**
     * Whether this stack takes {@code use} alone, to the exclusion of every other stack (RFC 9623
     * §10.5: a multicast group as endpoint is served by the multicast stack only). A claimed Initiate
     * is not raced: its single attempt gets the endpoints from {@link StackAttempt#use()}.
     *
     * @throws io.taps.TransportServicesException InvalidConfiguration when the stack recognises the
     *     Preconnection as its own but it contradicts itself (e.g. two multicast groups)
     */
    default boolean claims(StackUse use) {
        return false;
    }

    /**
     * Whether this stack serves only the Preconnections it {@linkplain #claims claims} (multicast:
     * nothing but a group endpoint); selection never offers such a stack otherwise.
     */
    default boolean claimsOnly() {
        return false;
    }

    /**
     * Checks, before anything is bound or sent, that the stack can serve {@code use} as configured,
     * for a stack selection has chosen (RFC 9622 §7: a Preconnection that cannot work fails at
     * Initiate or Listen, not later). A TLS stack, for instance, refuses a Listen whose
     * SecurityParameters hold no server identity.
     *
     * @throws io.taps.TransportServicesException InvalidConfiguration when it cannot
     */
    default void validate(StackUse use) {
    }

    /**
     * The Transport Properties a Connection of this stack starts with, given those requested; a
     * stack that can only send or only receive fixes {@code direction} here (RFC 9622 §6.2.16).
     * Only consulted for a {@linkplain #claims claimed} Preconnection.
     */
    default TransportProperties connectionProperties(TransportProperties requested, StackUse use) {
        return requested;
    }

    /**
     * Whether this stack speaks the protocol that {@code alpnId}, an {@code alpn} value of the
     * remote's HTTPS/SVCB record (RFC 9460 §7.1.1), names, given the ALPN ids the application offers
     * (RFC 9622 §6.3). A stack a record names is raced first, to the record's {@code port} and
     * address hints, before any other stack has failed (RFC 9623 §4.2 service binding records as
     * input to selection; draft-ietf-happy-happyeyeballs-v3 prefers the protocols a record
     * advertises, QUIC among them). Stacks that need no record to be tried (TCP, TLS/TCP) keep the
     * default: false, their place in the race order and the origin's port.
     */
    default boolean speaksServiceAlpn(String alpnId, java.util.List<String> applicationAlpn) {
        return false;
    }

    /**
     * Starts one establishment attempt (RFC 9623 §4.4.1) towards {@link StackAttempt#remote()} and
     * returns at once. The stack creates and connects its Netty channel on
     * {@link StackAttempt#eventLoop()}, installs its own protocol handlers (TLS, a proxy handshake)
     * and then calls {@link StackAttempt#attach}: the attempt succeeds when the stack's handshake and
     * every Message Framer are ready, and fails when the stack calls {@link StackAttempt#fail}. Throwing
     * fails the attempt too.
     */
    void connect(StackAttempt attempt);

    /**
     * Starts listening (RFC 9622 §7.2, RFC 9623 §4.7) on {@link StackBinding#addresses()} and
     * returns at once with the handle the Listener pauses and closes. Each accepted flow goes to
     * {@link StackBinding#attach}; the stack reports {@link StackBinding#bound} or
     * {@link StackBinding#fail} exactly once.
     */
    StackListener listen(StackBinding binding);

    /**
     * The port numbers the stack's sockets use, e.g. {@code "tcp"} or {@code "udp"}: a Listener binds
     * at most one stack per port space (the best ranked), since two stacks cannot accept on one port
     * of the same transport protocol; stacks of different port spaces listen on the same number.
     */
    String portSpace();

    /**
     * Whether a Connection of this stack can be cloned (RFC 9622 §7.4) by a new attempt of this
     * stack to the address the original won (design.md Q-16). Stacks whose flows share a
     * connection offer their own clone support through the attempt instead.
     */
    default boolean cloneable() {
        return true;
    }

    /**
     * Whether attempts of this stack can run through a proxy tunnel (SOCKS5, HTTP CONNECT; RFC 9623
     * §4.1.2 lists proxies among the protocol options of the candidate tree). A stack that says yes
     * promises that {@link #connect} opens one stream socket channel, connects it to
     * {@link StackAttempt#firstHop()} (never to {@link StackAttempt#remote()}, which for a proxy leaf
     * may be an unresolved host name the proxy resolves) and calls {@link StackAttempt#attach} from
     * the channel's initializer, before the connect: taps then puts the proxy handshake at the head
     * of the pipeline, and the attempt is ready only once the tunnel is open and the stack's own
     * handshake (TLS inside the tunnel) has completed. Datagram stacks and stacks with their own
     * sockets (QUIC) keep the default, false: they are raced only on the direct branch.
     */
    default boolean tunnelsThroughProxies() {
        return false;
    }

    /**
     * Applies a Connection Property (RFC 9622 §8.1) to {@code channel}, a channel this stack
     * connected or accepted, and returns whether it took effect (e.g. a socket option the platform
     * offers). Called on the channel's event loop. A stack without options returns false.
     */
    default boolean applyOption(Channel channel, Property<?> property, Object value) {
        return false;
    }
}
