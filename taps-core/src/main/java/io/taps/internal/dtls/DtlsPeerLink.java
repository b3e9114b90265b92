package io.taps.internal.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import io.taps.internal.conn.SharedReceiveBudget;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.SingleChannelLink;
import io.taps.security.SecurityOutcome;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One peer's DTLS association on a DTLS Listener's shared UDP socket, as the link of the
 * Connection it became (RFC 9623 §4.7.2 applied to DTLS): each Message is sealed into one record
 * and sent to that peer; closing sends close_notify and forgets the peer.
 */
final class DtlsPeerLink extends SingleChannelLink {
    private final InetSocketAddress remote;
    private final DtlsAssociation association;
    private final DtlsSockets owner;
    private final SecurityOutcome outcome;
    private final MessageLimit limit;
    private TapsConnection connection;
    private boolean closed;

    DtlsPeerLink(Channel socket, InetSocketAddress remote, DtlsAssociation association, DtlsSockets owner,
            SecurityOutcome outcome) {
        super(socket);
        this.remote = remote;
        this.association = association;
        this.owner = owner;
        this.outcome = outcome;
        this.limit = new MessageLimit(socket, remote, association.recordOverhead());
    }

    void attach(TapsConnection attached) {
        this.connection = attached;
    }

    DtlsAssociation association() {
        return association;
    }

    TapsConnection connection() {
        return connection;
    }

    @Override
    public boolean byteStream() {
        return false;
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        io.netty.channel.ChannelPromise written = channel.newPromise();
        writeMessage(data, null, true, written);
        return written;
    }

    /** The shared socket: a Send's reusable promise is one of its channel, so no future is made per write. */
    @Override
    public Channel writeChannel() {
        return channel;
    }

    @Override
    public void writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        ByteBuf sealed;
        try {
            sealed = association.seal(data);
        } catch (Exception e) {
            promise.setFailure(e);
            return;
        } finally {
            data.release();
        }
        channel.write(new DatagramPacket(sealed, remote), promise);
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        whenDone.run();
    }

    @Override
    public void close(Runnable whenClosed) {
        end(true, whenClosed);
    }

    @Override
    public void reset() {
        end(false, () -> { });
    }

    /** The peer sent close_notify: its Close (RFC 9622 §10), answered with close_notify as the Connection closes. */
    void closeNotifyReceived() {
        if (!closed) {
            connection.onCloseRequested();
        }
    }

    /** The Listener's socket closed: the Connection's link is gone. */
    void closedByPeer() {
        if (!closed) {
            closed = true;
            owner.forget(remote, this);
            connection.onLinkClosed();
        }
    }

    private void end(boolean notify, Runnable whenClosed) {
        if (closed) {
            return;
        }
        closed = true;
        if (notify) {
            association.close();
            channel.flush();
        }
        owner.forget(remote, this);
        // Reported from a later task, as a channel's close would be, so the connection's own close
        // logic is never re-entered.
        channel.eventLoop().execute(() -> {
            whenClosed.run();
            connection.onLinkClosed();
        });
    }

    @Override
    public SharedReceiveBudget sharedReceiveBudget() {
        return owner.receiveBudget();
    }

    @Override
    public void setReading(boolean read) {
        // The socket is shared by every peer; a slow reader's Messages are bounded in the Connection.
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public int maxMessageSize() {
        return limit.get();
    }

    @Override
    public Optional<String> applicationProtocol() {
        return outcome.applicationProtocol();
    }

    @Override
    public Optional<SecurityOutcome> securityOutcome() {
        return Optional.of(outcome);
    }
}
