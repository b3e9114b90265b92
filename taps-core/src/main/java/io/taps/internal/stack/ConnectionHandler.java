package io.taps.internal.stack;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.taps.properties.ConnectionState;
import io.netty.util.ReferenceCountUtil;
import io.taps.TransportServicesException;
import io.taps.internal.conn.LinkEvents;
import io.taps.internal.framer.FramedMessage;
import io.taps.internal.framer.FramerHost;
import io.taps.internal.framer.FramerRuntime;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.framer.FramingSignal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The last handler of every taps pipeline. Before its channel is adopted by a Connection it
 * reports the attempt's outcome (whole stack ready: TCP connected, TLS handshake done); after
 * adoption it feeds the Connection. Data that arrives between the stack becoming ready and the
 * adoption is held, so a server that speaks first loses nothing.
 *
 * <p>With framers (RFC 9623 §6, Q-4) the stack is ready only once the transport is ready and then
 * every framer called makeConnectionReady; a framer's failConnection before that fails the attempt.
 * After adoption it feeds the Connection framed Messages and the framers' close and failure
 * signals, in the order the framers produced them.
 *
 * <p>The only framer of a TCP or TLS Connection ({@link FramerStack#installHosted}) runs here, not
 * in a handler of its own: this handler passes it what it reads and the events it gets, and takes
 * what it delivers as it would from a framer's handler; the link frames through it
 * ({@link #hostedFramer}). A framer's handler and its context were 112 B of every framed
 * Connection (issue 21 figure 12).
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter implements FramerHost {

    /** Receives the outcome of one establishment attempt, on the channel's event loop. */
    public interface AttemptObserver {
        void stackReady(Channel channel, ConnectionHandler handler);

        void stackFailed(Channel channel, Throwable cause);
    }

    /**
     * Whom this handler answers to, one at a time, in one field: three (the observer, the data held
     * and the Connection) took the handler to 32 B of every Connection, one keeps it at 24 (issue 21
     * figure 12).
     * <ul>
     * <li>the attempt's {@link AttemptObserver} until the outcome is reported, then null (an
     *     initiated Connection's handler otherwise kept its whole attempt, issue 21 item 4);
     * <li>{@link Held}: data read before adoption, with the observer while the outcome is still to be
     *     reported (framers may deliver before they are all ready); made on first use, as a
     *     Connection whose peer waits never needs it;
     * <li>the Connection ({@link LinkEvents}) once bound.
     * </ul>
     * The outcome counts as reported once no observer is kept ({@link #reported}).
     */
    private Object peer;
    private final FramerStack framers;
    /**
     * Its flags, one bit each: eight booleans took the handler to 48 B of every Connection, a byte
     * (and no field for {@link #whenReported}'s task) keeps it at 32 (issue 21 figure 12), as
     * FramerHandler and SendPath keep theirs. Event loop only: a bit written from two threads could
     * lose the other's write.
     */
    private byte flags;
    /**
     * A boolean of its own, not a bit: a losing attempt may be cancelled from the thread that
     * decided the race (TapsAttempt.cancel), and it still fits the same 32 B.
     */
    private boolean discarded;
    /** Set at construction: the stack is ready at the TLS handshake's end, not at channelActive. */
    private static final int WAITS_FOR_TLS = 1;
    private static final int FRAMERS_STARTED = 1 << 1;
    private static final int INPUT_SHUTDOWN_HELD = 1 << 2;
    private static final int INACTIVE_HELD = 1 << 3;
    /** The link said its flow finished in both directions (see {@link #flowCompleted()}). */
    private static final int FLOW_COMPLETED = 1 << 4;
    private static final int COMPLETED_BEFORE_CLOSE = 1 << 5;
    /**
     * The channel no longer allows half-closure (taps sent its FIN, see ChannelLink): its closing
     * without an error means the peer's FIN, which ends the peer's input before the flow ends.
     */
    private static final int INPUT_ENDS_WITH_CHANNEL = 1 << 6;
    /** {@link #framers} is the only framer, run by this handler ({@link #hostedFramer}). */
    private static final int HOSTS_FRAMER = 1 << 7;

    public ConnectionHandler(AttemptObserver observer, boolean waitsForTls) {
        this(observer, waitsForTls, null);
    }

    /** {@code framers} (nullable) are started once the transport is ready and must all be ready too. */
    public ConnectionHandler(AttemptObserver observer, boolean waitsForTls, FramerStack framers) {
        this.peer = java.util.Objects.requireNonNull(observer, "observer");
        boolean hosts = framers instanceof FramerRuntime && ((FramerRuntime) framers).isHosted();
        this.flags = (byte) ((waitsForTls ? WAITS_FOR_TLS : 0) | (hosts ? HOSTS_FRAMER : 0));
        this.framers = framers;
    }

    /** The only framer, when this handler runs it (the link frames through it), else null. */
    @Override
    public FramerRuntime hostedFramer() {
        return is(HOSTS_FRAMER) ? (FramerRuntime) framers : null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (is(HOSTS_FRAMER)) {
            ((FramerRuntime) framers).attach(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (is(HOSTS_FRAMER)) {
            ((FramerRuntime) framers).removed();
        }
    }

    private boolean is(int flag) {
        return (flags & flag) != 0;
    }

    /** Data read before adoption, and the observer while the outcome is not reported yet. */
    private static final class Held extends ArrayDeque<Object> {
        private static final long serialVersionUID = 1L;
        private transient AttemptObserver observer;

        Held(AttemptObserver observer) {
            super(2);
            this.observer = observer;
        }
    }

    /** The Connection once bound, else null. */
    private LinkEvents connection() {
        Object current = peer;
        return current instanceof LinkEvents ? (LinkEvents) current : null;
    }

    /** The observer still to be told the outcome, else null. */
    private AttemptObserver observer() {
        Object current = peer;
        if (current instanceof AttemptObserver) {
            return (AttemptObserver) current;
        }
        return current instanceof Held ? ((Held) current).observer : null;
    }

    /** Replaces the observer still to be told (null once told); nothing once bound. */
    private void observer(AttemptObserver replacement) {
        Object current = peer;
        if (current instanceof Held) {
            ((Held) current).observer = replacement;
        } else if (!(current instanceof LinkEvents)) {
            peer = replacement;
        }
    }

    private void set(int flag, boolean on) {
        flags = (byte) (on ? flags | flag : flags & ~flag);
    }

    /** Hands the channel to its Connection and replays anything that arrived before. */
    public void bind(LinkEvents owner) {
        // An observer not told yet is not told any more: the channel is adopted already (a QUIC
        // datagram Connection's receiver, which has no attempt to report).
        Object current = peer;
        peer = owner;
        if (current instanceof Held) {
            Held held = (Held) current;
            Object message;
            while ((message = held.poll()) != null) {
                forward(owner, message);
            }
        }
        if (is(INPUT_SHUTDOWN_HELD)) {
            owner.onInputShutdown();
        }
        if (is(INACTIVE_HELD)) {
            owner.onLinkClosed();
        }
        // The owner adopted the link (and drained the Sends queued before Ready) before this bind:
        // the channel turning writable again meanwhile reached no one, and what still waits would
        // wait for the next call, or behind a Close until its timeout (session 23). Writes what can go.
        owner.writabilityChanged();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!is(WAITS_FOR_TLS)) {
            report(ctx.channel(), null);
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (is(HOSTS_FRAMER)) {
            // The framer acts on pauses and the end of input first; it passes every event back.
            ((FramerRuntime) framers).userEvent(event);
        } else {
            framerEvent(ctx, event);
        }
    }

    /** An event, from the channel or (with the end of input after the Messages before it) from the hosted framer. */
    @Override
    public void framerEvent(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ChannelInputShutdownEvent.INSTANCE) {
            LinkEvents connection = connection();
            if (connection != null) {
                connection.onInputShutdown();
            } else {
                set(INPUT_SHUTDOWN_HELD, true);
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (is(HOSTS_FRAMER)) {
            ((FramerRuntime) framers).read(message);
        } else {
            framerRead(ctx, message);
        }
    }

    /** What the channel, or the hosted framer, passes up: forwarded to the Connection, or held until adoption. */
    @Override
    public void framerRead(ChannelHandlerContext ctx, Object message) {
        LinkEvents connection = connection();
        if (connection != null) {
            try {
                forward(connection, message);
            } catch (Throwable failed) {
                // As Netty does with what channelRead throws: a hosted framer's delivery is no pipeline
                // read, and the framer would take the Connection's failure for its own.
                exceptionCaught(ctx, failed);
            }
        } else if (discarded) {
            ReferenceCountUtil.release(message);
        } else {
            Held held;
            if (peer instanceof Held) {
                held = (Held) peer;
            } else {
                held = new Held((AttemptObserver) peer);
                peer = held;
            }
            // A framer's reusable holder is the next Message's once this call returns.
            held.add(message instanceof FramedMessage ? ((FramedMessage) message).detached() : message);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        LinkEvents connection = connection();
        if (connection != null && ctx.channel().isWritable()) {
            connection.writabilityChanged();
        }
        super.channelWritabilityChanged(ctx);
    }

    /** Whether this channel's closing is the end of the peer's input (set by ChannelLink at taps' FIN). */
    void inputEndsWithChannel(boolean ends) {
        set(INPUT_ENDS_WITH_CHANNEL, ends);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (is(HOSTS_FRAMER)) {
            // As the framer's own handler did before this one heard of it: the framer stops first.
            ((FramerRuntime) framers).inactive();
        }
        LinkEvents connection = connection();
        if (connection != null && is(INPUT_ENDS_WITH_CHANNEL)) {
            set(INPUT_ENDS_WITH_CHANNEL, false);
            // As Netty reported the peer's FIN (or a read error, which the Connection already
            // holds as its failure) with half-closure allowed: the input ends, then the flow.
            connection.onInputShutdown();
        }
        if (connection != null) {
            if (is(FLOW_COMPLETED) && connection.state() == ConnectionState.ESTABLISHED) {
                // A flow that finished both ways is complete, not lost: its protocol freed it (a QUIC
                // stream after both FINs, RFC 9000 §3). Like TCP after both FINs, the Connection stays
                // until the application's Close, which then ends it as Closed (issue 13, defect 4).
                set(COMPLETED_BEFORE_CLOSE, true);
            } else {
                connection.onLinkClosed();
            }
        } else if (!reported()) {
            report(ctx.channel(), new java.nio.channels.ClosedChannelException());
        } else {
            set(INACTIVE_HELD, true);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LinkEvents connection = connection();
        if (connection != null) {
            connection.onLinkException(cause);
        } else if (!reported()) {
            report(ctx.channel(), cause);
            ctx.close();
        }
    }

    /**
     * Reports the outcome of the TLS handshake, as taps defines it (TLS done and, for a client that
     * asked for ALPN, a protocol agreed); for secure stacks this, not channelActive, means ready.
     */
    public void reportHandshake(Channel channel, Throwable failure) {
        report(channel, failure);
    }

    private boolean reported() {
        return observer() == null;
    }

    /** Whether the attempt's outcome (ready or failed) has been reported; on the event loop. */
    public boolean outcomeReported() {
        return reported();
    }

    private void report(Channel channel, Throwable failure) {
        if (reported()) {
            return;
        }
        if (failure == null && framers != null) {
            if (!is(FRAMERS_STARTED)) {
                set(FRAMERS_STARTED, true);
                framers.start(() -> finish(channel, null), error -> {
                    finish(channel, error);
                });
            }
            return;
        }
        finish(channel, failure);
    }

    /**
     * Runs {@code task} once the attempt's outcome has been reported (at once if it already was),
     * before the observer hears it. The observer is wrapped rather than the task kept in a field of
     * its own: the wrapper lives until the outcome, the field for the handler's whole life (4 B that
     * took every Connection's handler from 32 to 40 B, issue 21 figure 12).
     */
    public void whenReported(Runnable task) {
        if (reported()) {
            task.run();
        } else {
            observer(new ReportedFirst(task, observer()));
        }
    }

    /** An observer that runs a task before it hands the outcome on ({@link #whenReported}). */
    private record ReportedFirst(Runnable task, AttemptObserver then) implements AttemptObserver {
        @Override
        public void stackReady(Channel channel, ConnectionHandler handler) {
            task.run();
            then.stackReady(channel, handler);
        }

        @Override
        public void stackFailed(Channel channel, Throwable cause) {
            task.run();
            then.stackFailed(channel, cause);
        }
    }

    private void finish(Channel channel, Throwable failure) {
        if (reported()) {
            return;
        }
        AttemptObserver told = observer();
        observer(null);
        if (failure == null) {
            told.stackReady(channel, this);
        } else {
            discard();
            told.stackFailed(channel, failure);
        }
    }

    private static void forward(LinkEvents connection, Object message) {
        if (message instanceof DatagramPacket) {
            DatagramPacket packet = (DatagramPacket) message;
            InetSocketAddress sender = packet.sender();
            connection.onDatagram(packet.content(), sender);
        } else if (message instanceof FramedMessage) {
            FramedMessage framed = (FramedMessage) message;
            connection.onFramedMessage(framed.content(), framed.context(), framed.endOfMessage());
        } else if (message instanceof FramingSignal) {
            TransportServicesException error = ((FramingSignal) message).error();
            if (error == null) {
                connection.onCloseRequested();
            } else {
                connection.onFramingError(error);
            }
        } else if (message instanceof ByteBuf) {
            connection.onStreamData((ByteBuf) message);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    /**
     * The Connection closed a link that had already completed on its own (a QUIC stream finished
     * in both directions): reports the end now that Close asked for it.
     */
    public void linkClosedByConnection() {
        LinkEvents connection = connection();
        if (is(COMPLETED_BEFORE_CLOSE) && connection != null) {
            set(COMPLETED_BEFORE_CLOSE, false);
            connection.onLinkClosed();
        }
    }

    /**
     * Raised by a link whose protocol ends a flow by itself once it finished cleanly in both
     * directions (a QUIC stream after both FINs), before its channel goes inactive: that end is then
     * a completion, which waits for the application's Close, not the loss of the flow.
     */
    public void flowCompleted() {
        set(FLOW_COMPLETED, true);
    }

    /**
     * The flow ended without its channel going inactive (a QUIC connection's datagram Connection,
     * whose channel its other Connections keep using): tells the Connection as channelInactive would.
     */
    public void linkEnded() {
        LinkEvents connection = connection();
        if (connection != null) {
            connection.onLinkClosed();
        } else {
            set(INACTIVE_HELD, true);
        }
    }

    /** Releases held data of an attempt that lost or was cancelled; its channel is being closed. */
    public void discard() {
        Object current = peer;
        if (current instanceof LinkEvents) {
            return;
        }
        discarded = true;
        if (current instanceof Held) {
            Held held = (Held) current;
            Object message;
            while ((message = held.poll()) != null) {
                ReferenceCountUtil.release(message);
            }
            peer = held.observer;
        }
    }
}
