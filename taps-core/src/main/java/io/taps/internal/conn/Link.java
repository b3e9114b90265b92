package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What a {@link TapsConnection} needs from the protocol stack it won: a way to write bytes and to
 * end, close or reset the flow. A byte-stream link is a TCP or TLS channel; a datagram link is a
 * connected UDP channel, or one remote's share of a UDP listener's socket.
 */
public interface Link {

    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** Whether the top protocol is a byte stream (TCP, TLS) rather than datagrams (UDP). */
    boolean byteStream();

    /** Whether more can be written without growing Netty's outbound buffer past its watermark. */
    boolean isWritable();

    /** Writes one unit (a stream chunk, or a whole datagram) without flushing. */
    ChannelFuture write(ByteBuf data);

    void flush();

    /**
     * Writes (a part of) one Message without flushing: through the framers when the link has
     * them ({@link #framed()}), else as plain bytes like {@link #write}.
     */
    default ChannelFuture writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage) {
        return write(data);
    }

    /**
     * The Netty channel this link writes a Message to with the caller's promise
     * ({@link #writeMessage(ByteBuf, io.taps.MessageContext, boolean, io.netty.channel.ChannelPromise)}),
     * or null when its writes need a future of their own. A Send's reusable promise must belong
     * to this channel, so the steady send path makes no promise per Message (issue 21).
     */
    default io.netty.channel.Channel writeChannel() {
        return null;
    }

    /**
     * {@link #writeMessage(ByteBuf, io.taps.MessageContext, boolean)} reporting to {@code promise}, a
     * promise of {@link #writeChannel()}; only called when that is not null.
     */
    default void writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        throw new UnsupportedOperationException("this link writes with futures of its own");
    }

    /**
     * Writes one whole datagram with per-Message IP treatment and flushes it: {@code dscp} (6 bits,
     * -1 for the Connection's) for msgCapacityProfile (RFC 9622 §9.1.3.8) and the DF bit for
     * noFragmentation/noSegmentation (§9.1.3.9, §9.1.3.10); the link's own settings hold again for
     * later writes. A link that cannot set them per datagram writes as usual.
     */
    default ChannelFuture writeDatagram(ByteBuf data, io.taps.MessageContext context, int dscp,
            boolean dontFragment) {
        ChannelFuture written = writeMessage(data, context, true);
        flush();
        return written;
    }

    /**
     * Writes one whole Message sent with {@code msgReliable=false} (RFC 9622 §9.1.3.7) on a reliable
     * link whose protocol can also carry unreliable Messages (QUIC DATAGRAM frames, RFC 9221), and
     * flushes it; the future fails with a typed error when this peer or size does not allow it.
     * Null (the default) when the link has no separate unreliable path: the Message is written as
     * usual, as on a datagram link, which is unreliable anyway.
     */
    default ChannelFuture writeUnreliable(ByteBuf data, io.taps.MessageContext context) {
        return null;
    }

    /**
     * Whether the Messages this link delivers came unreliably (QUIC DATAGRAM frames): their received
     * MessageContext then carries {@code msgReliable=false} (RFC 9622 §9.1.3.7), so the application
     * can tell them from stream Messages. False by default.
     */
    default boolean receivesUnreliably() {
        return false;
    }

    /**
     * The largest Message that goes out in one transmission without IP fragmentation (RFC 9622
     * §8.1.11.4 singularTransmissionMsgMaxLen), or -1 for "not applicable" (byte streams).
     * Called from any thread; on a datagram link it may ask the socket for the path MTU.
     */
    default int singularTransmissionMaxLen() {
        return byteStream() ? -1 : maxMessageSize();
    }

    /** Whether Message Framers run on this link (RFC 9623 §6): received data then arrives as framed Messages. */
    default boolean framed() {
        return false;
    }

    /** Ends the sending direction (TCP FIN after a TLS close_notify); datagram links do nothing. */
    void shutdownOutput(Runnable whenDone);

    /**
     * {@link #shutdownOutput} as the last step of Close (not a Final Message): nothing is sent
     * afterwards and the flow ends with the peer's end, which a link may use to end it cheaper.
     */
    default void shutdownOutputToClose(Runnable whenDone) {
        shutdownOutput(whenDone);
    }

    /** Closes the flow; {@code whenClosed} runs on the event loop once it is closed. */
    void close(Runnable whenClosed);

    /** Closes the flow abruptly (TCP RST). */
    void reset();

    /**
     * The receive memory this link's Connection shares with others and must stay within as a
     * whole (the Connections of one UDP Listener socket), or null when it has only its own bounds.
     */
    default SharedReceiveBudget sharedReceiveBudget() {
        return null;
    }

    /** Stops or resumes reading, for receive-side backpressure; a shared UDP socket ignores it. */
    void setReading(boolean read);

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();

    /**
     * The largest Message one send may carry (RFC 9622 §8.1.11.5, §8.1.11.6): a datagram's largest
     * payload, a framer's largest Message on a framed byte stream, or -1 when unlimited.
     */
    int maxMessageSize();

    /** The ALPN protocol the handshake agreed on, for secure links. */
    default Optional<String> applicationProtocol() {
        return Optional.empty();
    }

    /** What this flow's security handshake negotiated (RFC 9622 §6.3, §8); empty for cleartext. */
    default Optional<io.taps.security.SecurityOutcome> securityOutcome() {
        return Optional.empty();
    }

    /** Applies a socket-level option for a Connection Property; false when the link cannot. */
    default boolean applyOption(io.taps.properties.Property<?> property, Object value) {
        return false;
    }

    /**
     * Whether the protocol-specific properties of {@code namespace} (RFC 9622 §4.1, e.g. {@code tcp})
     * apply to this link's protocol; vendor namespaces ({@code _taps}) apply everywhere. Called
     * from any thread, so SetProperty can refuse at once (CP-X1).
     */
    default boolean appliesTo(String namespace) {
        return namespace.startsWith("_");
    }

    /**
     * Applies a Connection Property to the flow, on the event loop, and returns the value now in
     * effect, which the Connection then reports (RFC 9622 §8.1). A property the flow has no
     * setting for is in effect as given: taps itself enforces it (closeTimeout, sendQueueLimit).
     * The rate bounds (§8.1.8) are only in effect where a link shapes its traffic, so by default
     * they read Unlimited; a capacity profile whose DSCP the link could not set reads Default.
     */
    default Object applyProperty(io.taps.properties.Property<?> property, Object value) {
        if (property == io.taps.properties.Property.MAX_SEND_RATE || property == io.taps.properties.Property.MAX_RECV_RATE
                || property == io.taps.properties.Property.MIN_SEND_RATE
                || property == io.taps.properties.Property.MIN_RECV_RATE) {
            return io.taps.properties.Limit.UNLIMITED;
        }
        boolean applied = applyOption(property, value);
        // A DSCP the socket did not take leaves the packets best effort (RFC 9622 §8.1.6).
        return property == io.taps.properties.Property.CONN_CAPACITY_PROFILE && !applied
                ? io.taps.properties.CapacityProfile.DEFAULT : value;
    }

    /**
     * Selection Properties whose effect the flow reports itself (RFC 9622 §6.2, C-22), read from
     * the socket rather than from what was asked: e.g. {@code keepAlive} as SO_KEEPALIVE is now.
     * GetProperties reports these values over the ones derived from the stack's capabilities.
     * Called from any thread.
     */
    default java.util.Map<io.taps.properties.Property<?>, Object> selectionInEffect() {
        return java.util.Map.of();
    }

    /**
     * Selection Properties (RFC 9622 §6.2) whose value on this flow differs from what the chosen
     * stack's capabilities suggest, because applying them depends on the peer (keep-alive on QUIC):
     * GetProperties reports these values instead. Called from any thread.
     */
    default java.util.Map<io.taps.properties.Property<?>, Object> appliedSelection() {
        return java.util.Map.of();
    }

    /**
     * How many of the first bytes received on this flow arrived as 0-RTT early data (TCP Fast Open
     * data in the SYN), for {@code MessageContext.isEarlyData()} (RFC 9622 §9.3.3.2); 0 when none
     * did or the flow cannot tell.
     */
    default long earlyDataBytes() {
        return 0;
    }

    /**
     * The transport's smoothed round-trip time, where the stack knows it (TCP on epoll:
     * {@code tcpi_rtt}); empty otherwise. Called from any thread, never per Message.
     */
    default Optional<java.time.Duration> smoothedRtt() {
        return Optional.empty();
    }

    /**
     * What the flow learnt while it was established that the EstablishmentReport should say (RFC
     * 9623 §4.4): e.g. that an MPTCP peer fell back to plain TCP. Read once, on the event loop,
     * when the flow wins or is accepted.
     */
    default java.util.List<String> establishmentNotes() {
        return java.util.List.of();
    }
}
