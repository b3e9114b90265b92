package io.taps.spi;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import java.util.concurrent.CompletionStage;

/**
 * What taps gives a {@link ProtocolStack} for one attempt or one Listener (RFC 9623 §4.4, §4.7):
 * the Preconnection, the Netty channel classes of the I/O transport in use (native epoll or NIO),
 * and the way to hand a channel over so that it becomes a Connection.
 */
public interface StackContext {

    /** The Preconnection being served. */
    StackUse use();

    /** The stream socket channel class of the I/O transport in use. */
    Class<? extends Channel> socketChannelType();

    /** The listening stream socket channel class of the I/O transport in use. */
    Class<? extends ServerChannel> serverSocketChannelType();

    /** The datagram channel class of the I/O transport in use. */
    Class<? extends DatagramChannel> datagramChannelType();

    /**
     * Hands {@code channel} over to taps: called from the channel's initializer, after the stack's
     * own handlers, it appends new instances of the Preconnection's Message Framers (on byte-stream
     * stacks, RFC 9623 §6) and taps' connection handler. The channel becomes a Connection once it is
     * active, {@code handshake} (nullable: nothing to wait for) completed normally and every framer
     * is ready (RFC 9623 §6.1); a failed {@code handshake} fails it with that error. The stage is
     * the stack's own handshake on the connected channel (TLS, DTLS, a proxy's CONNECT), so it
     * completes only after the channel became active. Options go
     * through {@link ProtocolStack#applyOption} of the stack the context belongs to.
     */
    void attach(Channel channel, CompletionStage<?> handshake);
}
