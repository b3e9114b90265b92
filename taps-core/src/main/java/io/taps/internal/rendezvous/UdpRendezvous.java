package io.taps.internal.rendezvous;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stun.StunMessage;
import io.taps.properties.Role;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Rendezvous over UDP: one socket per base, bound with SO_REUSEADDR to the port Resolve reported
 * (so the NAT mapping the STUN server saw still applies), the {@link IceAgent}'s checks on them, and,
 * once a pair is selected, the other sockets closed and the selected one connected to the peer and
 * handed to the Connection through a {@link TapsAttempt} of the UDP stack, with {@link UdpChecks}
 * left in front for consent freshness. Each base also asks its Local Endpoint's STUN server again
 * (refreshing the mapping and learning the server-reflexive address for the report and for the
 * diagnosis of a failure). All on the connection's event loop.
 */
final class UdpRendezvous implements IceAgent.Listener, UdpChecks.Gathering {
    private static final String STACK = "UDP";

    private final RendezvousContext context;
    private final EventLoop loop;
    private final long origin = System.nanoTime();
    private final List<UdpChecks> sockets = new ArrayList<>();
    private final Map<ByteBuffer, Base> gathering = new HashMap<>();
    private final Map<Base, InetSocketAddress> reflexive = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    private IceAgent agent;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> deadline;
    private Runnable untrickle = () -> { };
    private boolean ended;
    private int trickled;

    UdpRendezvous(RendezvousContext context) {
        this.context = context;
        this.loop = context.connection().eventLoop();
    }

    void start() {
        if (!context.connection().onEstablishmentCancel(this::cancel)) {
            return;
        }
        List<Base> bases = context.bases();
        List<CompletableFuture<Void>> binds = new ArrayList<>();
        for (Base base : bases) {
            UdpChecks checks = new UdpChecks(base, this, consentInterval());
            sockets.add(checks);
            ChannelFuture bound = new Bootstrap().group(loop).channel(context.environment().transport().datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                    .handler(checks).bind(base.address());
            CompletableFuture<Void> done = new CompletableFuture<>();
            bound.addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            binds.add(done);
        }
        CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) ->
                TapsAttempt.onLoop(loop, () -> {
                    if (ended) {
                        return;
                    }
                    if (failure != null) {
                        fail(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "Rendezvous cannot bind"
                                + " its local candidates " + bases + ": " + unwrap(failure).getMessage(), unwrap(failure)));
                    } else {
                        run(bases);
                    }
                }));
    }

    /** The consent check interval: the Connection's keepAliveTimeout (RFC 9622 §8.1.4), else RFC 7675's 5 s. */
    private long consentInterval() {
        io.taps.properties.Timeout keepAlive = context.spec().properties().get(io.taps.properties.Property.KEEP_ALIVE_TIMEOUT);
        return keepAlive.isNone() ? UdpChecks.CONSENT_INTERVAL_MILLIS : Math.max(1, keepAlive.duration().toMillis());
    }

    private void run(List<Base> bases) {
        agent = new IceAgent(context.local(), context.remote(), bases, this::send, this);
        sockets.forEach(socket -> socket.agent(agent));
        notes.add("ICE role: " + (agent.controlling() ? "controlling" : "controlled")
                + " (the larger username fragment controls)");
        addRemotes(context.spec().remotes(), false);
        for (UdpChecks socket : sockets) {
            InetSocketAddress server = context.stunServerOf(socket.base());
            if (server != null) {
                StunMessage request = StunMessage.request(List.of());
                gathering.put(ByteBuffer.wrap(request.transactionId()), socket.base());
                socket.send(server, request.encode(null, true));
            }
        }
        untrickle = context.trickle().apply(added -> loop.execute(() -> addRemotes(added, true)));
        ticker = loop.scheduleAtFixedRate(this::tick, 0, IceAgent.TA_MILLIS, TimeUnit.MILLISECONDS);
        deadline = loop.schedule(this::timedOut, context.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void addRemotes(List<io.taps.endpoint.RemoteEndpoint> remotes, boolean late) {
        if (ended || agent.selectedPair() != null) {
            return;
        }
        List<String> skipped = new ArrayList<>();
        for (InetSocketAddress address : RendezvousContext.addresses(remotes, skipped)) {
            agent.addRemote(address);
            if (late) {
                trickled++;
            }
        }
        skipped.forEach(s -> notes.add("skipped " + s));
        publish(false);
    }

    private void tick() {
        if (!ended) {
            agent.tick();
            publish(false);
        }
    }

    private void send(CandidatePair pair, byte[] message) {
        for (UdpChecks socket : sockets) {
            if (socket.base().equals(pair.base)) {
                socket.send(pair.remote, message);
            }
        }
    }

    @Override
    public boolean onServerAnswer(UdpChecks checks, StunMessage response) {
        Base base = gathering.remove(ByteBuffer.wrap(response.transactionId()));
        if (base == null) {
            return false;
        }
        response.mappedAddress().ifPresent(mapped -> {
            reflexive.put(base, mapped);
            notes.add("server-reflexive candidate of " + base.describe() + ": " + mapped.getAddress().getHostAddress()
                    + ":" + mapped.getPort());
        });
        return true;
    }

    @Override
    public void selected(CandidatePair pair) {
        if (ended) {
            return;
        }
        ended = true;
        stopTimers();
        UdpChecks chosen = null;
        for (UdpChecks socket : sockets) {
            if (socket.base().equals(pair.base)) {
                chosen = socket;
            } else {
                socket.channel().close();
            }
        }
        notes.add("nominated pair: " + pair + (trickled > 0 ? " (" + trickled + " candidate(s) trickled)" : ""));
        UdpChecks winner = chosen;
        Channel channel = winner.channel();
        channel.connect(pair.remote).addListener(connected -> TapsAttempt.onLoop(loop, () -> {
            if (!connected.isSuccess()) {
                channel.close();
                failNow(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                        "cannot connect the selected pair " + pair + ": " + connected.cause().getMessage(),
                        connected.cause()));
                return;
            }
            adopt(winner, pair);
        }));
    }

    private void adopt(UdpChecks winner, CandidatePair pair) {
        Channel channel = winner.channel();
        TapsAttempt attempt = new TapsAttempt(ChannelStack.UDP, loop, pair.remote, pair.base.address(), null,
                context.spec().use(Role.RENDEZVOUS), context.timeout(), context.spec().framers(), null, context.scope(),
                context.environment());
        attempt.attach(channel, CompletableFuture.completedFuture(null), ch -> new ChannelLink(ch, StackKind.UDP));
        winner.selected(pair, StunMessage.shortTermKey(context.remote().password()),
                context.remote().usernameFragment() + ":" + context.local().usernameFragment());
        attempt.outcome().whenComplete((won, failure) -> TapsAttempt.onLoop(loop, () -> {
            publish(true);
            if (failure != null) {
                channel.close();
                context.connection().failEstablishment(TapsAttempt.classify(ChannelStack.UDP.capabilities(),
                        pair.remote, unwrap(failure)));
                return;
            }
            context.connection().establish(attempt.link(), ChannelStack.UDP.capabilities());
            attempt.handler().bind(context.connection());
        }));
    }

    private void timedOut() {
        if (ended) {
            return;
        }
        fail(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, RendezvousDiagnosis.explain(STACK,
                context.timeout(), agent.pairs(), reflexive, agent.unauthenticatedChecks())));
    }

    private void fail(TransportServicesException error) {
        if (ended) {
            return;
        }
        ended = true;
        failNow(error);
    }

    private void failNow(TransportServicesException error) {
        stopTimers();
        sockets.forEach(socket -> {
            if (socket.channel() != null) {
                socket.channel().close();
            }
        });
        publish(true);
        context.connection().failEstablishment(error);
    }

    private void cancel() {
        TapsAttempt.onLoop(loop, () -> {
            ended = true;
            stopTimers();
            sockets.forEach(socket -> {
                if (socket.channel() != null) {
                    socket.channel().close();
                }
            });
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
        if (agent == null) {
            return;
        }
        context.connection().establishmentReport(context.report(STACK, agent.bases(), agent.pairs(),
                agent.selectedPair(), notes, origin, finished));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
