package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;

/**
 * What a {@link Link} reports to the Connection it carries: data, the peer's end, the flow's end,
 * failures and writability. The links and their Netty handlers see only this, never the whole
 * Connection. Every method is called on the Connection's event loop; data arguments pass ownership.
 */
public interface LinkEvents {

    /** Stream bytes arrived; takes ownership of {@code data}. */
    void onStreamData(ByteBuf data);

    /**
     * A framer delivered (part of) a Message (RFC 9623 §6.3); takes ownership of {@code data}.
     * Parts of one Message arrive in order, the last with {@code endOfMessage}.
     */
    void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage);

    /** A framer failed the Connection after Ready (RFC 9623 §6.1 FailConnection). */
    void onFramingError(TransportServicesException error);

    /** A framer asked to end the Connection gracefully (RFC 9623 §6.1), as the application's Close would. */
    void onCloseRequested();

    /** A datagram arrived from {@code sender}; takes ownership of {@code data}. */
    void onDatagram(ByteBuf data, InetSocketAddress sender);

    /** The peer ended its sending direction (TCP FIN, QUIC stream FIN). */
    void onInputShutdown();

    /** The flow is gone (channel inactive, stream closed). */
    void onLinkClosed();

    /** A failure the stack reported; soft errors are passed on, hard ones end the connection when the flow closes. */
    void onLinkException(Throwable cause);

    /** The link can take more writes again. */
    void writabilityChanged();

    /**
     * The Connection's state (RFC 9622 §11), so that a link can tell a flow that completed while
     * the Connection was established (a QUIC stream finished both ways) from one that was lost.
     */
    io.taps.properties.ConnectionState state();
}
