package io.taps.internal.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.taps.internal.stack.SingleChannelLink;
import io.taps.security.SecurityOutcome;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The link of a DTLS client Connection: a connected UDP channel whose {@link DtlsClientHandler}
 * seals each Message into one record. A Message never spans records or IP fragments: the largest
 * is one record's plaintext within the path MTU (RFC 9622 §8.1.11.4-6).
 */
final class DtlsLink extends SingleChannelLink {
    private final DtlsClientHandler dtls;

    DtlsLink(Channel channel, DtlsClientHandler dtls) {
        super(channel);
        this.dtls = dtls;
    }

    @Override
    public boolean byteStream() {
        return false;
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        return channel.write(data);
    }

    /** The socket: a Send's reusable promise is one of its channel, so no future is made per write. */
    @Override
    public Channel writeChannel() {
        return channel;
    }

    @Override
    public void writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        channel.write(data, promise);
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        whenDone.run();
    }

    @Override
    public void close(Runnable whenClosed) {
        channel.close().addListener(closed -> whenClosed.run());
    }

    @Override
    public void reset() {
        if (channel.eventLoop().inEventLoop()) {
            dtls.abort(channel);
        } else {
            channel.eventLoop().execute(() -> dtls.abort(channel));
        }
    }

    @Override
    public void setReading(boolean read) {
        channel.config().setAutoRead(read);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    private volatile MessageLimit limit;

    @Override
    public int maxMessageSize() {
        MessageLimit current = limit;
        if (current == null) {
            current = new MessageLimit(channel, remoteAddress(), dtls.recordOverhead());
            limit = current;
        }
        return current.get();
    }

    @Override
    public Optional<String> applicationProtocol() {
        SecurityOutcome outcome = dtls.outcome();
        return outcome == null ? Optional.empty() : outcome.applicationProtocol();
    }

    @Override
    public Optional<SecurityOutcome> securityOutcome() {
        return Optional.ofNullable(dtls.outcome());
    }
}
