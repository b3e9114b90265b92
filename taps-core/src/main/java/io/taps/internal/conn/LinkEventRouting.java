package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;

/**
 * The Connection's link-facing side: hands what its {@link Link} reports ({@link LinkEvents}, on
 * the event loop) to the part that deals with it: data and the peer's end to {@link ReceivePath},
 * the flow's end and failures to {@link Lifecycle}, writability to {@link SendPath}.
 *
 * <p>A superclass of {@link TapsConnection} rather than an object of its own so that the links and
 * their Netty handlers keep holding the Connection as their {@code LinkEvents} (one object per
 * Connection, nothing to allocate or look up per event); sealed, so that {@link #connection()} is
 * always the Connection itself.
 */
abstract sealed class LinkEventRouting extends TransferCounters implements LinkEvents permits TapsConnection {

    LinkEventRouting(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    private TapsConnection connection() {
        return (TapsConnection) this;
    }

    @Override
    public void onStreamData(ByteBuf data) {
        connection().receivePath.onStreamData(data);
    }

    @Override
    public void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        connection().receivePath.onFramedMessage(data, context, endOfMessage);
    }

    @Override
    public void onFramingError(TransportServicesException error) {
        connection().receivePath.onFramingError(error);
    }

    @Override
    public void onCloseRequested() {
        connection().lifecycle.startClose();
    }

    @Override
    public void onDatagram(ByteBuf data, InetSocketAddress sender) {
        connection().receivePath.onDatagram(data, sender);
    }

    @Override
    public void onInputShutdown() {
        connection().receivePath.onInputShutdown();
    }

    @Override
    public void onLinkClosed() {
        connection().lifecycle.onLinkClosed();
    }

    @Override
    public void onLinkException(Throwable cause) {
        connection().lifecycle.onLinkException(cause);
    }

    @Override
    public void writabilityChanged() {
        connection().sendPath.writeQueued();
    }
}
