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

    /** Whether Message Framers run on this link (RFC 9623 §6): received data then arrives as framed Messages. */
    default boolean framed() {
        return false;
    }

    /** Ends the sending direction (TCP FIN after a TLS close_notify); datagram links do nothing. */
    void shutdownOutput(Runnable whenDone);

    /** Closes the flow; {@code whenClosed} runs on the event loop once it is closed. */
    void close(Runnable whenClosed);

    /** Closes the flow abruptly (TCP RST). */
    void reset();

    /** Stops or resumes reading, for receive-side backpressure; a shared UDP socket ignores it. */
    void setReading(boolean read);

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();

    /** The largest message one write may carry, or -1 when unlimited (byte streams). */
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
     */
    default Object applyProperty(io.taps.properties.Property<?> property, Object value) {
        applyOption(property, value);
        return value;
    }

    /**
     * The transport's smoothed round-trip time, where the stack knows it (TCP on epoll:
     * {@code tcpi_rtt}); empty otherwise. Called from any thread, never per Message.
     */
    default Optional<java.time.Duration> smoothedRtt() {
        return Optional.empty();
    }
}
