package io.taps.internal.rendezvous;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stun.StunMessage;
import io.taps.properties.Role;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Rendezvous over TCP by simultaneous open (RFC 9293 §3.5, RFC 6544 §7.2 "S-O" candidates): every
 * candidate pair is a TCP connect from the base's port (SO_REUSEADDR and SO_REUSEPORT, so all pairs
 * of a base share it) to the remote candidate, retried until the Rendezvous ends; when both sides
 * connect towards each other the SYNs cross in the NATs' mappings and one connection forms. A
 * connection is a working pair only after one ICE check over it, framed as RFC 4571 (RFC 6544 §3): the
 * controlling side sends a Binding request with USE-CANDIDATE on the first connection that forms, the
 * controlled side answers it, and both adopt that connection, with the same short-term credential
 * checks as over UDP. Remote TCP candidates are the addresses the peer signalled for UDP: a NAT's
 * server-reflexive UDP port is the TCP port only where the NAT preserves ports, as taps asks STUN
 * over UDP only (documented in docs/rendezvous.md).
 */
final class TcpRendezvous {
    private static final String STACK = "TCP";
    private static final long RETRY_MILLIS = 100;
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    private final RendezvousContext context;
    private final EventLoop loop;
    private final long origin = System.nanoTime();
    private final boolean controlling;
    private final byte[] localKey;
    private final byte[] remoteKey;
    private final List<Base> bases;
    private final List<CandidatePair> pairs = new ArrayList<>();
    private final Map<CandidatePair, Channel> channels = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> deadline;
    private Runnable untrickle = () -> { };
    private CandidatePair selected;
    private CandidatePair nominating;
    private boolean ended;
    private int remotesGiven;
    private int unauthenticated;

    TcpRendezvous(RendezvousContext context) {
        this.context = context;
        this.loop = context.connection().eventLoop();
        this.controlling = IceAgent.isControlling(context.local(), context.remote());
        this.localKey = StunMessage.shortTermKey(context.local().password());
        this.remoteKey = StunMessage.shortTermKey(context.remote().password());
        this.bases = context.bases();
    }

    void start() {
        if (!context.connection().onEstablishmentCancel(this::cancel)) {
            return;
        }
        notes.add("ICE role: " + (controlling ? "controlling" : "controlled") + " (the larger username fragment controls)");
        addRemotes(context.spec().remotes(), false);
        untrickle = context.trickle().apply(added -> loop.execute(() -> addRemotes(added, true)));
        ticker = loop.scheduleAtFixedRate(this::tick, 0, IceAgent.TA_MILLIS, TimeUnit.MILLISECONDS);
        deadline = loop.schedule(this::timedOut, context.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void addRemotes(List<RemoteEndpoint> remotes, boolean late) {
        if (ended) {
            return;
        }
        List<String> skipped = new ArrayList<>();
        for (InetSocketAddress address : RendezvousContext.addresses(remotes, skipped)) {
            CandidateType type = CandidateType.guess(address.getAddress());
            long priority = type.priority(65535 - Math.min(remotesGiven++, 65535));
            for (Base base : bases) {
                boolean sameFamily = base.address().getAddress().isAnyLocalAddress()
                        || base.address().getAddress().getAddress().length == address.getAddress().getAddress().length;
                if (sameFamily && pairs.stream().noneMatch(p -> p.base.equals(base) && p.remote.equals(address))) {
                    CandidatePair pair = new CandidatePair(base, address, type, priority);
                    pair.prioritise(controlling);
                    pairs.add(pair);
                }
            }
            if (late) {
                notes.add("trickled candidate " + address);
            }
        }
        pairs.sort((x, y) -> Long.compare(y.priority, x.priority));
        skipped.forEach(s -> notes.add("skipped " + s));
        publish(false);
    }

    /** Every Ta, the best pair not yet tried starts connecting (RFC 8445 §6.1.4.2 pacing). */
    private void tick() {
        if (ended) {
            return;
        }
        for (CandidatePair pair : pairs) {
            if (pair.state == CandidatePair.State.WAITING) {
                pair.state = CandidatePair.State.IN_PROGRESS;
                pair.startedNanos = System.nanoTime();
                connect(pair);
                break;
            }
        }
        publish(false);
    }

    private void connect(CandidatePair pair) {
        if (ended) {
            return;
        }
        pair.checksSent++;
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(context.environment().transport().socketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast("rfc4571-decoder", new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                                .addLast("rfc4571-encoder", new LengthFieldPrepender(2))
                                .addLast("ice-check", new Check(pair));
                    }
                });
        if (context.environment().transport().socketChannel().getName().contains("Epoll")) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        if (StackConnector.NO_DELAY_NEEDS_SETTING) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture connecting = bootstrap.connect(pair.remote, pair.base.address());
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                if (ended) {
                    connecting.channel().close();
                    return;
                }
                channels.put(pair, connecting.channel());
                if (controlling && nominating == null) {
                    nominating = pair;
                    sendCheck(connecting.channel(), true);
                }
            } else if (!ended) {
                pair.failure = "connect: " + done.cause().getMessage();
                loop.schedule(() -> connect(pair), RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void sendCheck(Channel channel, boolean useCandidate) {
        List<StunMessage.Attribute> attributes = new ArrayList<>();
        attributes.add(StunMessage.username(context.remote().usernameFragment() + ":" + context.local().usernameFragment()));
        attributes.add(StunMessage.priority(CandidateType.PEER_REFLEXIVE.priority(65535)));
        attributes.add(StunMessage.role(controlling, 0));
        if (useCandidate) {
            attributes.add(StunMessage.useCandidate());
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(StunMessage.request(attributes).encode(remoteKey, true)));
    }

    /** The ICE check on one connection that formed; removed with the framing once the pair is selected. */
    private final class Check extends ChannelInboundHandlerAdapter {
        private final CandidatePair pair;

        Check(CandidatePair pair) {
            this.pair = pair;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            byte[] data = ByteBufUtil.getBytes((ByteBuf) message);
            ReferenceCountUtil.release(message);
            StunMessage stun = StunMessage.decode(data).orElse(null);
            if (stun == null || ended) {
                return;
            }
            if (stun.type() == StunMessage.BINDING_REQUEST) {
                String expected = context.local().usernameFragment() + ":" + context.remote().usernameFragment();
                if (!stun.username().map(expected::equals).orElse(false) || !stun.integrityValid(localKey)) {
                    unauthenticated++;
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(Unpooled.wrappedBuffer(StunMessage.response(StunMessage.BINDING_SUCCESS,
                        stun.transactionId(), List.of(StunMessage.xorMappedAddress(pair.remote, stun.transactionId())))
                        .encode(localKey, true)));
                pair.checksAnswered++;
                if (!controlling && stun.has(StunMessage.USE_CANDIDATE)) {
                    pair.nominatedByPeer = true;
                    select(pair, ctx.channel());
                }
            } else if (stun.type() == StunMessage.BINDING_SUCCESS && controlling && pair == nominating) {
                if (!stun.integrityValid(remoteKey)) {
                    unauthenticated++;
                    ctx.close();
                    return;
                }
                pair.checksAnswered++;
                select(pair, ctx.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!ended && channels.get(pair) == ctx.channel()) {
                channels.remove(pair);
                if (nominating == pair) {
                    nominating = null;
                }
                pair.failure = "connection closed before the check";
                loop.schedule(() -> connect(pair), RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pair.failure = cause.getMessage();
            ctx.close();
        }
    }

    private void select(CandidatePair pair, Channel channel) {
        ended = true;
        selected = pair;
        pair.state = CandidatePair.State.SUCCEEDED;
        pair.endedNanos = System.nanoTime();
        stopTimers();
        channels.forEach((other, open) -> {
            if (open != channel) {
                open.close();
            }
        });
        notes.add("nominated pair: " + pair + " (TCP simultaneous open)");
        TapsAttempt attempt = new TapsAttempt(ChannelStack.TCP, loop, pair.remote, pair.base.address(), null,
                context.spec().use(Role.RENDEZVOUS), context.timeout(), context.spec().framers(), null, context.scope(),
                context.environment());
        attempt.attach(channel, CompletableFuture.completedFuture(null), ch -> new ChannelLink(ch, StackKind.TCP));
        channel.pipeline().remove("ice-check");
        channel.pipeline().remove("rfc4571-encoder");
        // Removing the decoder passes on what it holds: application bytes that followed the check.
        channel.pipeline().remove("rfc4571-decoder");
        attempt.outcome().whenComplete((won, failure) -> TapsAttempt.onLoop(loop, () -> {
            publish(true);
            if (failure != null) {
                channel.close();
                context.connection().failEstablishment(TapsAttempt.classify(ChannelStack.TCP.capabilities(),
                        pair.remote, failure));
                return;
            }
            context.connection().establish(attempt.link(), ChannelStack.TCP.capabilities());
            attempt.handler().bind(context.connection());
        }));
    }

    private void timedOut() {
        if (ended) {
            return;
        }
        ended = true;
        stopTimers();
        channels.values().forEach(Channel::close);
        publish(true);
        context.connection().failEstablishment(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                RendezvousDiagnosis.explain(STACK + " (simultaneous open)", context.timeout(), pairs, Map.of(),
                        unauthenticated)));
    }

    private void cancel() {
        TapsAttempt.onLoop(loop, () -> {
            ended = true;
            stopTimers();
            channels.values().forEach(Channel::close);
            publish(true);
        });
    }

    private void stopTimers() {
        untrickle.run();
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private void publish(boolean finished) {
        context.connection().establishmentReport(context.report(STACK, bases, pairs, selected, notes, origin, finished));
    }
}
