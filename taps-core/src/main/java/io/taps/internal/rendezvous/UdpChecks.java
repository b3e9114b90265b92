package io.taps.internal.rendezvous;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The handler of one base socket of a UDP Rendezvous, first in its pipeline: it separates STUN from
 * application datagrams (RFC 8489 §6.1: the top two bits and the magic cookie), hands checks and
 * their answers to the {@link IceAgent}, and keeps the few application datagrams the peer sends
 * between its nomination and ours until the Connection takes the socket. Once the pair is selected
 * it stays in the pipeline for consent freshness (RFC 7675): it answers the peer's checks and sends
 * its own every 4-6 s, and raises a {@link TransportServicesException} through the pipeline (so a
 * ConnectionError) when none was answered for 30 s.
 */
final class UdpChecks extends ChannelInboundHandlerAdapter {
    static final long CONSENT_INTERVAL_MILLIS = 5_000;
    /** RFC 7675 §5.1: consent expires after 30 s, six times the default interval. */
    private static final int CONSENT_EXPIRY_INTERVALS = 6;
    private static final int HELD_LIMIT = 64;

    /** What the Rendezvous asks of a base besides the checks: the answers of its STUN server. */
    interface Gathering {
        /** Whether {@code response} answered a Binding request to the STUN server, which is then taken in. */
        boolean onServerAnswer(UdpChecks checks, StunMessage response);
    }

    private final Base base;
    private final Gathering gathering;
    private final long consentIntervalMillis;
    private IceAgent agent;
    private ChannelHandlerContext ctx;
    private CandidatePair selected;
    private final ArrayDeque<DatagramPacket> held = new ArrayDeque<>();
    private final Set<ByteBuffer> consentChecks = new HashSet<>();
    private long lastConsentNanos;
    private ScheduledFuture<?> consentTimer;
    private byte[] remoteKey;
    private String consentUser;

    UdpChecks(Base base, Gathering gathering, long consentIntervalMillis) {
        this.base = base;
        this.gathering = gathering;
        this.consentIntervalMillis = consentIntervalMillis;
    }

    Base base() {
        return base;
    }

    void agent(IceAgent newAgent) {
        this.agent = newAgent;
    }

    DatagramChannel channel() {
        return (DatagramChannel) ctx.channel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    /** Sends {@code message} to {@code to}: addressed while checking, plain once the socket is connected. */
    void send(InetSocketAddress to, byte[] message) {
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (((DatagramChannel) ctx.channel()).isConnected()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(message));
        } else {
            ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(message), to));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (!(message instanceof DatagramPacket)) {
            context.fireChannelRead(message);
            return;
        }
        DatagramPacket packet = (DatagramPacket) message;
        int readable = packet.content().readableBytes();
        byte[] head = new byte[Math.min(readable, 20)];
        packet.content().getBytes(packet.content().readerIndex(), head);
        if (StunMessage.looksLikeStun(head, readable)) {
            byte[] data = ByteBufUtil.getBytes(packet.content());
            packet.release();
            StunMessage.decode(data).ifPresent(stun -> onStun(stun, packet.sender()));
            return;
        }
        if (selected != null && packet.sender().equals(selected.remote) && context.pipeline().get("taps") != null) {
            context.fireChannelRead(packet);
        } else if (agent != null && agent.selectedPair() == null && held.size() < HELD_LIMIT && knownRemote(packet.sender())) {
            held.add(packet);
        } else {
            ReferenceCountUtil.release(packet);
        }
    }

    private boolean knownRemote(InetSocketAddress sender) {
        return agent.pairs().stream().anyMatch(pair -> pair.remote.equals(sender));
    }

    private void onStun(StunMessage stun, InetSocketAddress sender) {
        if (stun.type() != StunMessage.BINDING_REQUEST && consentChecks.remove(ByteBuffer.wrap(stun.transactionId()))) {
            if (stun.type() == StunMessage.BINDING_SUCCESS && stun.integrityValid(remoteKey)) {
                lastConsentNanos = System.nanoTime();
            }
            return;
        }
        if (gathering.onServerAnswer(this, stun)) {
            return;
        }
        if (agent != null) {
            agent.onStun(stun, base, sender);
        }
    }

    /**
     * The pair is selected and the socket connected to its remote: from now on application datagrams
     * pass on (the held ones first, those from the selected remote) and consent checks run.
     */
    void selected(CandidatePair pair, byte[] peerKey, String username) {
        this.selected = pair;
        this.remoteKey = peerKey;
        this.consentUser = username;
        DatagramPacket packet;
        while ((packet = held.poll()) != null) {
            if (packet.sender().equals(pair.remote)) {
                ctx.fireChannelRead(packet);
            } else {
                packet.release();
            }
        }
        lastConsentNanos = System.nanoTime();
        scheduleConsent();
    }

    private void scheduleConsent() {
        // RFC 7675 §5.1: a random interval of 0.8 to 1.2 times the base, so checks of many flows spread.
        long delay = (long) (consentIntervalMillis * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        consentTimer = ctx.executor().schedule(this::consentCheck, delay, TimeUnit.MILLISECONDS);
    }

    private void consentCheck() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long silent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastConsentNanos);
        if (silent >= consentIntervalMillis * CONSENT_EXPIRY_INTERVALS) {
            ctx.fireExceptionCaught(new TransportServicesException(ErrorReason.CONNECTION_ABORTED,
                    "consent to send expired: " + selected.remote + " answered no consent check for " + silent
                            + " ms (RFC 7675 §5.1)"));
            // The Connection remembers the failure and reports it as ConnectionError when the flow closes.
            ctx.close();
            return;
        }
        StunMessage request = StunMessage.request(List.of(StunMessage.username(consentUser)));
        consentChecks.add(ByteBuffer.wrap(request.transactionId()));
        send(selected.remote, request.encode(remoteKey, true));
        scheduleConsent();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        release();
        super.channelInactive(context);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        release();
    }

    private void release() {
        if (consentTimer != null) {
            consentTimer.cancel(false);
        }
        DatagramPacket packet;
        while ((packet = held.poll()) != null) {
            packet.release();
        }
    }
}
