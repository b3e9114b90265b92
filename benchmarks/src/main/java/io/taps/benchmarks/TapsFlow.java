package io.taps.benchmarks;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.framer.lengthprefix.LengthPrefixFramer;

/**
 * The taps client of a {@link Flow}: one Connection, events taken through a
 * {@link ConnectionEventHandler}, as an event-driven application would: since it needs no
 * per-message completion stage, it sends with {@link Connection#sendWithEvents} (RFC 9622 §9.2,
 * outcome through Sent/SendError) and receives with {@link Connection#receiveWithEvents} (§9.3.1,
 * answered by Received), one {@link Message} made once from the application's byte array
 * and sent again for every request, as the raw client copies the same array for every request.
 */
public abstract class TapsFlow extends Flow {
    private TransportServices taps;
    private Connection connection;
    private Message request;
    /** Bytes of one response as the receive path delivers it; 0 for bulk (completions are Sent events). */
    private int responseBytes;
    private int pendingBytes;

    @Override
    protected void open(Workload workload, NettyFixture.Server server) {
        taps = TapsFixture.create();
        byte[] payload = NettyFixture.pattern(workload.unitBytes());
        Preconnection preconnection;
        if (workload == Workload.UDP) {
            preconnection = TapsFixture.udp(taps, server);
        } else if (workload == Workload.QUIC) {
            preconnection = TapsFixture.quic(taps, server);
        } else if (workload == Workload.DTLS) {
            preconnection = TapsFixture.dtls(taps, server);
        } else if (workload == Workload.QUIC_DATAGRAM) {
            preconnection = TapsFixture.quicDatagrams(taps, server);
        } else {
            preconnection = workload.secure() ? TapsFixture.tls(taps, server) : TapsFixture.tcp(taps, server);
        }
        request = Message.wrap(payload);
        if (workload.framed()) {
            // The length-prefix framer turns each 64 B payload into a 4-byte-prefixed frame and
            // each received frame back into one whole Message, as LengthFieldPrepender/Decoder do.
            preconnection.addFramer(LengthPrefixFramer.factory(4));
        }
        responseBytes = workload == Workload.BULK ? 0 : request.length();
        try {
            connection = TapsFixture.open(preconnection, new Events());
        } catch (RuntimeException e) {
            taps.close();
            throw e;
        }
        if (responseBytes > 0) {
            receiveNext(connection);
        }
    }

    @Override
    protected void send() {
        // wrap, not of: the application hands its array over, as the raw client's single copy into
        // a direct buffer does; the Message is complete and unchanged, so it is sent again as is.
        connection.sendWithEvents(request);
    }

    @Override
    protected void closeClient() {
        try {
            TapsFixture.close(connection);
        } finally {
            taps.close();
        }
    }

    private void receiveNext(Connection c) {
        c.receiveWithEvents(responseBytes, responseBytes);
    }

    /** Counts responses (whole ones, even if a part boundary ever split one) and, for bulk, Sent events. */
    private void received(Connection c, Message message) {
        if (responseBytes == 0) {
            return;
        }
        pendingBytes += message.length();
        while (pendingBytes >= responseBytes) {
            pendingBytes -= responseBytes;
            completed();
        }
        receiveNext(c);
    }

    private final class Events implements ConnectionEventHandler {
        @Override
        public void sent(Connection c, MessageContext context) {
            if (responseBytes == 0) {
                completed();
            }
        }

        @Override
        public void received(Connection c, Message message) {
            TapsFlow.this.received(c, message);
        }

        @Override
        public void receivedPartial(Connection c, Message message) {
            TapsFlow.this.received(c, message);
        }

        @Override
        public void sendError(Connection c, MessageContext context, TransportServicesException error) {
            failed(error);
        }

        @Override
        public void receiveError(Connection c, MessageContext context, TransportServicesException error) {
            failed(error);
        }

        @Override
        public void connectionError(Connection c, TransportServicesException error) {
            failed(error);
        }
    }
}
