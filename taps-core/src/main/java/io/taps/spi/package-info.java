/**
 * The protocol SPI of taps (RFC 9622 §4, RFC 9623 §4 and §10; design.md Q-15): how a protocol
 * stack plugs into selection, racing, listening, clone and Connection Properties.
 *
 * <p>A stack implements {@link io.taps.spi.ProtocolStack} and is registered with
 * {@code TransportServices.builder().protocol(stack)}; TCP, TLS/TCP, UDP, QUIC and UDP multicast
 * are the built-in implementations and are always registered. The racer, the candidate tree, the
 * EstablishmentReport, the Listener, clone and {@code TransportServices.close()} never look at a
 * stack's name or type, so a new transport needs no change there. For the transports planned next:
 * <ul>
 *   <li><b>MPTCP</b> (RFC 8684): capabilities as TCP with {@code multipath} OPTIONAL; {@code connect}
 *       opens a stream socket of protocol IPPROTO_MPTCP and attaches it; {@code listen} the same on
 *       a server socket; {@code portSpace()} {@code "tcp"}.</li>
 *   <li><b>DTLS/UDP</b> (RFC 9147): secure, not a byte stream, its DTLS versions in
 *       {@link io.taps.spi.StackCapabilities#tlsVersions()} terms; {@code connect} adds a DTLS
 *       handler to a connected datagram channel and passes its handshake as the
 *       {@link io.taps.spi.StackContext#attach attach} stage, so the attempt wins only once it is
 *       done; {@code portSpace()} {@code "udp"}.</li>
 *   <li><b>Proxy tunnels</b> (SOCKS5, HTTP CONNECT): the stack's {@code connect} puts Netty's proxy
 *       handler first on the channel to the proxy and passes its connect future as the stage;
 *       proxy choices are protocol options of the candidate tree (RFC 9623 §4.1.1), raced like any
 *       other stack.</li>
 *   <li><b>Rendezvous</b> (RFC 9622 §7.3): {@link io.taps.spi.StackUse#role()} tells a stack that it
 *       serves a Rendezvous; it declares itself unusable for roles it cannot serve
 *       ({@link io.taps.spi.ProtocolStack#unusableReason}).</li>
 * </ul>
 * Capabilities must be honest: a Require that no available stack meets fails with NoCandidates
 * before anything is sent, so a stack declares {@link io.taps.spi.Support#OPTIONAL} only what it
 * can really switch on.
 */
package io.taps.spi;
