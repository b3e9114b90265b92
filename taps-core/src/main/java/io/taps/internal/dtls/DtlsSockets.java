package io.taps.internal.dtls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.conn.SharedReceiveBudget;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.security.DtlsContexts;
import io.taps.internal.stack.DatagramSockets;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.TapsBinding;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket of a DTLS Listener (RFC 6347, RFC 9623 §4.7.2): one association per peer address
 * and port, each becoming a Connection once its handshake completed.
 *
 * <p><b>No state before the cookie round trip</b> (RFC 6347 §4.2.1): a ClientHello without a
 * cookie is answered with a HelloVerifyRequest by a throw-away engine of the Listener's context
 * and nothing about the peer is kept. Only a ClientHello whose cookie the context verifies gets an
 * engine that stays: a fresh engine is first shown the cookie-less ClientHello the peer sent before
 * (rebuilt by {@link DtlsClientHello#withoutCookie}), so that it checks the real one's cookie as
 * the engine that issued it would have; a wrong cookie gets a new HelloVerifyRequest and the engine
 * is dropped. The JDK's cookie is an HMAC over the ClientHello under a secret of the SSLContext; it
 * does not cover the peer's address (the engine never sees it), so a valid cookie replayed from
 * spoofed addresses makes associations: those are bounded by the cap below and by the handshake
 * timeout (docs/dtls.md).
 *
 * <p>At most {@link DatagramSockets#DEFAULT_MAX_REMOTES} associations (handshaking or established)
 * exist at once, or {@code _taps.maxConcurrentConnections}; ClientHellos from further peers are
 * dropped and the Listener told once. An association that does not complete its handshake within
 * the Listener's handshake timeout is dropped; an established one lives as long as its Connection,
 * which the Listener's idle timeout ends. Received Messages of all peers share
 * {@link DatagramSockets#RECEIVE_BUDGET}.
 */
final class DtlsSockets implements StackListener {
    private static final Logger log = LoggerFactory.getLogger(DtlsSockets.class);
    /** Associations of every DTLS Listener of this JVM, handshaking or established. */
    static final AtomicInteger ASSOCIATIONS = new AtomicInteger();
    /** The bound DTLS Listener sockets of this JVM by local address, for {@link DtlsStack#associationCount(InetSocketAddress)}. */
    static final Map<InetSocketAddress, DtlsSockets> BOUND = new java.util.concurrent.ConcurrentHashMap<>();

    private final ProtocolStack stack;
    private final TapsBinding binding;
    private final Map<InetSocketAddress, Object> peers = new HashMap<>();
    private final SharedReceiveBudget receiveBudget = new SharedReceiveBudget(DatagramSockets.RECEIVE_BUDGET);
    private final long maxPeers;
    private volatile SecurityParameters security;
    private volatile SSLContext context;
    private volatile Channel socket;
    private long droppedOverCap;
    private final AtomicInteger associations = new AtomicInteger();

    DtlsSockets(ProtocolStack stack, TapsBinding binding) {
        this.stack = stack;
        this.binding = binding;
        Limit cap = binding.properties().get(Property.MAX_CONCURRENT_CONNECTIONS);
        this.maxPeers = cap.isUnlimited() ? DatagramSockets.DEFAULT_MAX_REMOTES : cap.value();
        this.security = binding.use().security();
    }

    void bind(List<InetSocketAddress> addresses) {
        if (addresses.size() != 1) {
            binding.fail(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "a DTLS listener binds exactly one local address, got " + addresses));
            return;
        }
        try {
            // Built by validate() before Listen, so this reads the cache.
            context = DtlsContexts.forServer(security);
        } catch (RuntimeException e) {
            binding.fail(e);
            return;
        }
        ChannelFuture bound = new Bootstrap().group(binding.group()).channel(binding.datagramChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .handler(new Demultiplexer())
                .bind(addresses.get(0));
        bound.addListener(done -> {
            if (!done.isSuccess()) {
                binding.fail(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen on UDP " + addresses.get(0) + " for DTLS: " + done.cause().getMessage(), done.cause()));
                return;
            }
            socket = bound.channel();
            InetSocketAddress local = (InetSocketAddress) bound.channel().localAddress();
            BOUND.put(local, this);
            bound.channel().closeFuture().addListener(closed -> BOUND.remove(local, this));
            binding.bound(List.of((InetSocketAddress) bound.channel().localAddress()));
        });
    }

    /** Associations of this socket, handshaking or established; readable from any thread. */
    int associationCount() {
        return associations.get();
    }

    SharedReceiveBudget receiveBudget() {
        return receiveBudget;
    }

    /** Called on the socket's loop when an association's Connection ends. */
    void forget(InetSocketAddress remote, Object association) {
        if (peers.remove(remote, association)) {
            ASSOCIATIONS.decrementAndGet();
            associations.decrementAndGet();
        }
        closeIfIdle();
    }

    private void closeIfIdle() {
        Channel open = socket;
        if (binding.isStopping() && peers.isEmpty() && open != null && open.isOpen()) {
            if (droppedOverCap > 0) {
                log.info("DTLS listener on {} dropped {} ClientHellos while {} associations existed",
                        open.localAddress(), droppedOverCap, maxPeers);
            }
            open.close();
        }
    }

    @Override
    public void setAccepting(boolean accept) {
        // Nothing to pause on a shared socket: mayAccept() decides per ClientHello.
    }

    @Override
    public Runnable prepareSecurityUpdate(SecurityParameters updated) {
        SSLContext next = DtlsContexts.forServer(updated);
        return () -> {
            security = updated;
            context = next;
        };
    }

    @Override
    public void close(Runnable whenClosed) {
        Channel open = socket;
        if (open == null) {
            whenClosed.run();
            return;
        }
        open.eventLoop().execute(() -> {
            for (Map.Entry<InetSocketAddress, Object> entry : List.copyOf(peers.entrySet())) {
                if (entry.getValue() instanceof Handshaking) {
                    ((Handshaking) entry.getValue()).association.close();
                    forget(entry.getKey(), entry.getValue());
                }
            }
            open.flush();
            whenClosed.run();
            closeIfIdle();
        });
    }

    /** An association whose handshake is under way: no Connection yet. */
    private static final class Handshaking {
        final DtlsAssociation association;

        Handshaking(DtlsAssociation association) {
            this.association = association;
        }
    }

    /** Where an association's ciphertext goes: collected while its engine is only being tested, else sent. */
    private static final class Output implements java.util.function.Consumer<ByteBuf> {
        final Channel socket;
        final InetSocketAddress peer;
        List<ByteBuf> held = new ArrayList<>();

        Output(Channel socket, InetSocketAddress peer) {
            this.socket = socket;
            this.peer = peer;
        }

        @Override
        public void accept(ByteBuf datagram) {
            if (held != null) {
                held.add(datagram);
            } else {
                socket.writeAndFlush(new DatagramPacket(datagram, peer));
            }
        }

        void release() {
            held.forEach(ByteBuf::release);
            held = null;
        }

        void send() {
            List<ByteBuf> flight = held;
            held = null;
            flight.forEach(this::accept);
        }
    }

    private final class Demultiplexer extends SimpleChannelInboundHandler<DatagramPacket> {
        Demultiplexer() {
            super(true);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            Object peer = peers.get(sender);
            if (peer instanceof DtlsPeerLink) {
                DtlsPeerLink link = (DtlsPeerLink) peer;
                link.association().receive(packet.content(), plain -> link.connection().onDatagram(plain, sender));
                return;
            }
            if (peer instanceof Handshaking) {
                ((Handshaking) peer).association.receive(packet.content(), io.netty.util.ReferenceCountUtil::release);
                return;
            }
            int cookie = DtlsClientHello.cookieLength(packet.content());
            if (cookie < 0 || binding.isStopping()) {
                return;
            }
            if (peers.size() >= maxPeers) {
                dropOverCap();
                return;
            }
            if (!binding.mayAccept()) {
                return;
            }
            SSLContext current = context;
            Output output = new Output(ctx.channel(), sender);
            DtlsAssociation association = new DtlsAssociation(DtlsContexts.newServerEngine(current, security),
                    ctx.channel().eventLoop(), ctx.alloc(), output);
            if (cookie == 0) {
                // Stateless: the engine answers with a HelloVerifyRequest and is dropped with it.
                association.receive(packet.content(), io.netty.util.ReferenceCountUtil::release);
                association.abandon();
                output.send();
                return;
            }
            ByteBuf first = DtlsClientHello.withoutCookie(packet.content(), ctx.alloc());
            try {
                association.receive(first, io.netty.util.ReferenceCountUtil::release);
            } finally {
                first.release();
            }
            output.release();
            output.held = new ArrayList<>();
            association.receive(packet.content(), io.netty.util.ReferenceCountUtil::release);
            boolean verified = !output.held.isEmpty()
                    && DtlsClientHello.handshakeType(output.held.get(0)) != DtlsClientHello.HELLO_VERIFY_REQUEST
                    && !association.isClosed();
            if (!verified) {
                // A wrong or stale cookie: the peer gets a fresh HelloVerifyRequest, nothing is kept.
                association.abandon();
                output.send();
                return;
            }
            Handshaking handshaking = new Handshaking(association);
            peers.put(sender, handshaking);
            ASSOCIATIONS.incrementAndGet();
            associations.incrementAndGet();
            association.limitHandshake(binding.handshakeTimeout());
            association.handshake().whenComplete((outcome, failure) -> {
                if (failure != null) {
                    forget(sender, handshaking);
                    binding.rejected(sender, failure);
                    return;
                }
                established(ctx.channel(), sender, handshaking, outcome);
            });
            output.send();
        }

        private void established(Channel channel, InetSocketAddress sender, Handshaking handshaking,
                io.taps.security.SecurityOutcome outcome) {
            if (peers.get(sender) != handshaking) {
                return;
            }
            TapsConnection connection = new TapsConnection(channel.eventLoop(), binding.environment().eventExecutor(),
                    binding.properties(), Role.LISTEN, new ConnectionEventHandler() { });
            DtlsPeerLink link = new DtlsPeerLink(channel, sender, handshaking.association, DtlsSockets.this, outcome);
            link.attach(connection);
            handshaking.association.onPeerClose(link::closeNotifyReceived);
            peers.put(sender, link);
            connection.establishPassive(link, stack.capabilities());
            binding.offer(connection);
        }

        private void dropOverCap() {
            if (droppedOverCap++ == 0) {
                String what = "DTLS listener on " + socket.localAddress() + " has " + maxPeers
                        + " associations, its limit; ClientHellos from further peers are dropped until one ends"
                        + " (raise _taps.maxConcurrentConnections to allow more)";
                log.warn(what);
                binding.limitReached(new TransportServicesException(ErrorReason.POLICY_PROHIBITED, what));
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                for (Object peer : List.copyOf(peers.values())) {
                    if (peer instanceof DtlsPeerLink) {
                        ((DtlsPeerLink) peer).connection().writabilityChanged();
                    }
                }
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            for (Object peer : List.copyOf(peers.values())) {
                if (peer instanceof DtlsPeerLink) {
                    ((DtlsPeerLink) peer).closedByPeer();
                }
            }
            for (Map.Entry<InetSocketAddress, Object> entry : List.copyOf(peers.entrySet())) {
                ((Handshaking) entry.getValue()).association.abandon();
                forget(entry.getKey(), entry.getValue());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP errors about any peer reach the shared socket; none of them ends the Listener.
        }
    }
}
