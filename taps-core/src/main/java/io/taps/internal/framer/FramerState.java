package io.taps.internal.framer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.internal.ReceivedContexts;
import io.taps.properties.Role;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The state of a {@link FramerRuntime} that its receive side ({@link FramerReceiver}), its send
 * side ({@link FramerSender}) and its control calls share: its framer, its host's context, its
 * state flags (Role and call depth included) and its {@link FramerChain}, with the RFC 9623 §6
 * calls that only read them or fail the Connection. A layer of the runtime, like
 * {@link FramerInput} below it, not an object of its own: every framed Connection keeps one
 * runtime of 32 B (issue 21 figure 12), however its code is split.
 */
abstract sealed class FramerState extends FramerInput implements FramerContext permits FramerReceiver {
    private static final Role[] ROLES = Role.values();

    /*
     * Every Connection with a framer keeps this runtime, so it keeps only what a framed echo of
     * whole Messages uses (32 B, was 96: issue 21 figure 12); the rest is in a RareState made on
     * first need and dropped when idle again.
     */
    final Framer framer;
    /** The context of the handler hosting this runtime: its FramerHandler, or the taps handler. */
    ChannelHandlerContext ctx;
    /**
     * This runtime's state flags, one bit each ({@link #flag(int)}), its Role and its call depth:
     * thirteen booleans, an int depth and a long progress count were 28 B of every Connection
     * with a framer, one int is 4 (issue 21 figure 12). Event loop only.
     */
    private int flags;
    static final int EARMARK_END = 1 << 0;
    static final int STARTED = 1 << 1;
    static final int READY = 1 << 2;
    static final int PASSTHROUGH = 1 << 3;
    static final int FAILED = 1 << 4;
    static final int STOPPED = 1 << 5;
    static final int INPUT_ENDED = 1 << 6;
    /** The Connection paused reading ({@link ReceivePause}): no parsing until it resumes. */
    static final int PAUSED = 1 << 7;
    /** The peer's end of input, held while paused input before it is still unparsed. */
    static final int INPUT_SHUTDOWN_HELD = 1 << 8;
    static final int END_CHECKED = 1 << 9;
    static final int COLLECTING = 1 << 10;
    static final int PROCESSING = 1 << 11;
    static final int FLUSH_NEEDED = 1 << 12;
    /** The framer's current handleReceivedData call moved the cursor, delivered or changed mode. */
    static final int PROGRESSED = 1 << 13;
    /** The only framer, started, its outcome told: it keeps no {@link FramerChain}. */
    static final int SETTLED = 1 << 14;
    /** Hosted by the taps handler, not by a FramerHandler of its own ({@link FramerStack#installHosted}). */
    static final int HOSTED = 1 << 19;
    static final int ROLE_SHIFT = 15;
    static final int ROLE_MASK = 3 << ROLE_SHIFT;
    /** A {@link RareState} was made once; made again, it is kept ({@link #KEEP_RARE}). */
    static final int RARE_MADE = 1 << 17;
    /**
     * The {@link RareState} stays when idle: needed twice, it is likely needed per Message (a peer
     * writing header and body apart earmarks every body), and making one per Message is garbage on
     * the steady path (issue 21: SteadyStateAllocationTest's framed round trip read 105-189 B, a
     * RareState and its queue per round trip when the echo's body came in a read of its own).
     */
    static final int KEEP_RARE = 1 << 18;
    /** The depth of this runtime's framer calls (flushes wait for the outermost), in the top bits. */
    static final int DEPTH_UNIT = 1 << 20;

    FramerState(Framer framer, Role role) {
        this.framer = framer;
        this.flags = role.ordinal() << ROLE_SHIFT;
    }

    /** This object as the runtime it is a layer of: the layers are sealed, the runtime the one class made. */
    private FramerRuntime runtime() {
        return (FramerRuntime) this;
    }

    /** Whether the taps handler hosts this runtime (no FramerHandler of its own in the pipeline). */
    public boolean isHosted() {
        return flag(HOSTED);
    }

    /** The handler that hosts this runtime, which gets what it passes up. */
    final FramerHost host() {
        return (FramerHost) ctx.handler();
    }

    final boolean flag(int bit) {
        return (flags & bit) != 0;
    }

    final void flag(int bit, boolean on) {
        flags = on ? flags | bit : flags & ~bit;
    }

    @Override
    void rareMade() {
        if (flag(SETTLED)) { // the ones made for start-up (its chain) do not count
            flag(flag(RARE_MADE) ? KEEP_RARE : RARE_MADE, true);
        }
    }

    @Override
    boolean keepsRare() {
        return flag(KEEP_RARE);
    }

    final FramerChain chain() {
        return rare == null ? null : rare.chain;
    }

    /** The chain, made for this one framer when it has none (before its start, or to add a framer below it). */
    final FramerChain madeChain() {
        RareState state = rare();
        if (state.chain == null) {
            state.chain = FramerChain.solo(runtime(), flag(SETTLED));
        }
        return state.chain;
    }

    /** Called by the chain of this only framer once the outcome is told: the chain is not kept. */
    void settle(FramerChain chain) {
        if (rare != null && rare.chain == chain) {
            rare.chain = null;
            flag(SETTLED, true);
            dropRareIfIdle();
        }
    }

    boolean ready() {
        return flag(READY);
    }

    final boolean isLowest() {
        FramerChain chain = chain();
        return chain == null || chain.isLowest(runtime());
    }

    final boolean outcomeReported() {
        FramerChain chain = chain();
        return chain == null ? flag(SETTLED) : chain.outcomeReported();
    }

    /** The largest Message this runtime's framer handles, -1 for no limit (RFC 9622 §8.1.11.5). */
    long maxMessageSize() {
        return framer.maxMessageSize();
    }

    /** Its host was added to the pipeline: {@code context} is how this runtime reaches the channel. */
    public void attach(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void failConnection(TransportServicesException error) {
        if (flag(FAILED)) {
            return;
        }
        flag(FAILED, true);
        releaseInput();
        if (rare != null) {
            rare.earmark = 0;
            rare.earmarkContext = null;
        }
        if (outcomeReported() || !madeChain().failBeforeReady(error)) {
            host().framerRead(ctx, FramingSignal.failure(error));
        }
    }

    final void framerThrew(String event, Throwable thrown) {
        failConnection(thrown instanceof TransportServicesException ? (TransportServicesException) thrown
                : new TransportServicesException(ErrorReason.DEFRAMING_FAILED,
                        "the framer " + framerName() + " threw in " + event + ": " + thrown, thrown));
    }

    final void runHandoff() {
        if (rare == null) {
            return;
        }
        Runnable pending = rare.handoff;
        rare.handoff = null;
        if (pending != null) {
            pending.run();
        }
    }

    @Override
    public MessageContext receivedContext() {
        // The channel's addresses, made endpoints only if read; the context is the event loop's for
        // the links active lately, not kept by every Connection (32 B of each, issue 21 figure 12).
        return ReceivedContexts.of(socketAddress(ctx.channel().remoteAddress()),
                socketAddress(ctx.channel().localAddress()));
    }

    private static InetSocketAddress socketAddress(Object address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
    }

    @Override
    public boolean inputEnded() {
        return flag(INPUT_ENDED);
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public ScheduledExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Role role() {
        return ROLES[(flags & ROLE_MASK) >>> ROLE_SHIFT];
    }

    @Override
    public Optional<RemoteEndpoint> remoteEndpoint() {
        return Optional.ofNullable(socketAddress(ctx.channel().remoteAddress())).map(RemoteEndpoint::of);
    }

    @Override
    public Optional<LocalEndpoint> localEndpoint() {
        return Optional.ofNullable(socketAddress(ctx.channel().localAddress()))
                .map(local -> LocalEndpoint.ofAddress(local.getAddress(), local.getPort()));
    }

    final void enter() {
        flags += DEPTH_UNIT;
    }

    final void exit() {
        flags -= DEPTH_UNIT;
        if (depth() == 0 && flag(FLUSH_NEEDED)) {
            flag(FLUSH_NEEDED, false);
            ctx.flush();
        }
    }

    final int depth() {
        return flags >>> 20;
    }

    final String framerName() {
        return framer.getClass().getSimpleName();
    }
}
