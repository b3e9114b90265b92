package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ConnectionGroup;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.monitor.TransferReport;
import io.taps.monitor.TransportObserver;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.internal.MessageAccess;
import io.taps.internal.group.CloneRequest;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.group.TapsConnectionGroup;
import io.taps.internal.selection.ConnectionPropertiesSnapshots;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Connection of RFC 9622 on a Netty event loop: its state machine (§11, E-20), its send queue
 * and receive queue, and the delivery of its events in order (E-21).
 *
 * <p>Everything that changes state runs on the connection's one event loop, chosen when it is
 * created; public methods called from other threads hop onto it. The same object serves actively
 * opened connections (established by an establisher that calls {@link #establish}) and connections
 * a Listener received ({@link #establishPassive}).
 */
public final class TapsConnection implements Connection {
    private static final MessageAccess MESSAGES = MessageAccess.get();
    /** Receive buffering above which reading pauses, so a slow reader pushes back on the peer. */
    private static final long RECEIVE_HIGH_WATER = 1 << 20;
    private static final long RECEIVE_LOW_WATER = RECEIVE_HIGH_WATER / 2;
    /** Datagrams a shared UDP socket may buffer for one remote before dropping (UDP is lossy). */
    private static final long DATAGRAM_BUFFER_LIMIT = 4L << 20;
    /** Marks "the stream ended and no Message is in progress" in the framed receive path. */
    private static final Message END_OF_STREAM = Message.empty();

    private final EventLoop loop;
    private final EventDispatcher events;
    private final TransportProperties properties;
    private final Role role;
    private final CompletableFuture<Connection> readyFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    // Sized for every Connection Property at once, so filling it never resizes.
    private final Map<Property<?>, Object> connectionValues = new ConcurrentHashMap<>(128);
    private final SendQueue sendQueue = new SendQueue();
    private final InboundQueue inbound = new InboundQueue();
    private final ArrayDeque<ReceiveRequest> receiveRequests = new ArrayDeque<>();
    private volatile ConnectionEventHandler handler;
    private volatile ConnectionState state = ConnectionState.ESTABLISHING;
    private volatile StackCapabilities stack;
    private volatile Link link;
    /** The InitiateWithSend message the stack sent as 0-RTT early data, until its Sent is raised. */
    private PendingSend sentEarly;
    private volatile MessageProperties messageDefaults;
    private volatile boolean finalSent;
    private volatile boolean inputEnded;
    private long sendSequence;
    private int writesInFlight;
    private volatile boolean closeRequested;
    private boolean outputShutdown;
    private boolean streamEndDelivered;
    private boolean partialDelivered;
    private boolean reading = true;
    private Throwable failureCause;
    /** A framer's failConnection after Ready: raised once the Messages delivered before it are received. */
    private TransportServicesException framingError;
    private ScheduledFuture<?> closeTimer;
    private Runnable establishmentCanceller;
    private volatile EstablishmentReport establishmentReport = EstablishmentReport.empty();
    private Runnable onTerminated;
    private MessageContext linkContext;
    // Connection groups and the transfer report (RFC 9622 §7.4): counters are plain fields written
    // on the event loop only, so counting costs nothing per Message (TransferReport documents that a
    // report taken on another thread may lag).
    private final Executor eventExecutor;
    private volatile TapsConnectionGroup group;
    private volatile List<FramerFactory> framerFactories = List.of();
    private long bytesSent;
    private long bytesReceived;
    private long messagesSent;
    private long messagesReceived;
    private volatile long readyNanos;
    private volatile Instant readyAt;
    private volatile long closedNanos;
    private volatile Duration lastRtt;
    /** Set once by the engine before the Connection is handed out; NONE costs one compare per event. */
    private volatile TransportObserver observer = TransportObserver.NONE;
    /** The direction property (RFC 9622 §6.2.16), read once: every send and receive checks it. */
    private final Direction direction;

    public TapsConnection(EventLoop loop, Executor eventExecutor, TransportProperties properties, Role role,
            ConnectionEventHandler handler) {
        this.loop = loop;
        this.events = new EventDispatcher(eventExecutor);
        this.properties = properties;
        this.role = role;
        this.handler = handler;
        this.messageDefaults = properties.messageDefaults();
        this.direction = properties.get(Property.DIRECTION);
        for (Property<?> property : Property.ofKind(PropertyKind.CONNECTION)) {
            connectionValues.put(property, properties.get(property));
        }
        this.eventExecutor = eventExecutor;
        this.group = new TapsConnectionGroup(this);
    }

    public EventLoop eventLoop() {
        return loop;
    }

    public TransportProperties transportProperties() {
        return properties;
    }

    /**
     * Lets the establisher stop its attempts when the application closes or aborts early; called
     * on the event loop. False when the Connection already ended (an abort or close that ran on
     * the loop before the establisher's first task found no canceller): the establisher must then
     * start nothing, or it would open attempts and adopt a winner into a closed Connection.
     */
    public boolean onEstablishmentCancel(Runnable canceller) {
        if (state != ConnectionState.ESTABLISHING || events.isTerminated()) {
            return false;
        }
        this.establishmentCanceller = canceller;
        return true;
    }

    /** The establishment report so far (RFC 9623 §4); the establisher updates it on the event loop. */
    public void establishmentReport(EstablishmentReport report) {
        this.establishmentReport = report;
    }

    @Override
    public EstablishmentReport establishmentReport() {
        return establishmentReport;
    }

    /**
     * PathChange (RFC 9622 §8.3.2, E-10): an interface this connection's local address is on
     * changed. Only reported: a lost path may come back, so nothing is closed here (M-59).
     */
    public void onPathChange() {
        runOnLoop(() -> {
            if (state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSING) {
                events.emit(() -> handler.pathChange(this));
                TransportObserver current = observer;
                if (current != TransportObserver.NONE) {
                    current.pathChange(this);
                }
            }
        });
    }

    /** Lets {@code newObserver} see this Connection's messages and errors (the engine calls it once). */
    public void observeWith(TransportObserver newObserver) {
        this.observer = newObserver;
    }

    /** The link this Connection was established on, or null before establishment. */
    public Link link() {
        return link;
    }

    /** Runs once when the connection reaches Closed, e.g. to let a Listener forget it. */
    public void onTerminated(Runnable callback) {
        this.onTerminated = callback;
    }

    // ---------------------------------------------------------------- establishment

    /**
     * 0-RTT (RFC 9622 §7.1 InitiateWithSend, §6.2.5 zeroRttMsg): the winning stack already sent
     * {@code message}, queued by InitiateWithSend, as early data. It is not written again; its Sent
     * follows Ready. Call on the event loop before {@link #establish}.
     */
    public void sentAsEarlyData(io.taps.Message message) {
        PendingSend pending = sendQueue.removeMessage(message);
        if (pending != null) {
            pending.cancelExpiry();
            sentEarly = pending;
        }
    }

    /** Adopts the winning link and raises Ready (E-01); called on the event loop. */
    public void establish(Link winner, StackCapabilities chosenStack) {
        adopt(winner, chosenStack);
        events.emit(() -> handler.ready(this), () -> {
            readyFuture.complete(this);
        });
        PendingSend early = sentEarly;
        if (early != null) {
            sentEarly = null;
            events.emit(() -> handler.sent(this, early.context), () -> early.future.complete(early.context));
        }
        if (closeRequested) {
            // Close was called while establishing with data queued: deliver it, then close.
            closeRequested = false;
            startClose();
        } else {
            writeQueued();
        }
    }

    /**
     * Adopts a link a Listener accepted. The Listener raises ConnectionReceived itself, so no
     * Ready is raised here; {@link #ready()} still completes for code that waits on it.
     */
    public void establishPassive(Link accepted, StackCapabilities chosenStack) {
        establishmentReport = EstablishmentReport.accepted(chosenStack.name(), accepted.remoteAddress());
        adopt(accepted, chosenStack);
        readyFuture.complete(this);
    }

    private void adopt(Link winner, StackCapabilities chosenStack) {
        this.link = winner;
        // with framers, a byte stream preserves message boundaries, as selection assumed.
        this.stack = winner.framed() ? chosenStack.withFramer() : chosenStack;
        this.state = ConnectionState.ESTABLISHED;
        this.establishmentCanceller = null;
        this.readyAt = Instant.now();
        this.readyNanos = System.nanoTime();
        for (Map.Entry<Property<?>, Object> entry : connectionValues.entrySet()) {
            // A new socket already has the defaults (TOS 0, no user timeout); setting them again
            // would cost a system call per property and connection.
            if (!entry.getValue().equals(entry.getKey().defaultValue())) {
                winner.applyOption(entry.getKey(), entry.getValue());
            }
        }
    }

    /** EstablishmentError (E-02): establishment failed; the connection is now Closed. */
    public void failEstablishment(TransportServicesException error) {
        runOnLoop(() -> {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.CLOSED;
            // sends queued before Ready fail with the establishment, without their own SendError.
            for (PendingSend pending : sendQueue.drainAll()) {
                pending.cancelExpiry();
                pending.future.completeExceptionally(error);
            }
            failReceivesSilently(error);
            inbound.releaseAll();
            closedNanos = System.nanoTime();
            events.emitTerminal(() -> handler.establishmentError(this, error), () -> {
                readyFuture.completeExceptionally(error);
                closedFuture.completeExceptionally(error);
            });
            terminated();
        });
    }

    // ---------------------------------------------------------------- public API

    @Override
    public CompletionStage<Connection> ready() {
        return readyFuture.minimalCompletionStage();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closedFuture.minimalCompletionStage();
    }

    @Override
    public void setEventHandler(ConnectionEventHandler newHandler) {
        this.handler = Objects.requireNonNull(newHandler, "handler");
    }

    @Override
    public CompletionStage<MessageContext> send(Message message) {
        return send(message, message.context(), message.endOfMessage());
    }

    @Override
    public CompletionStage<MessageContext> send(Message message, MessageContext context, boolean endOfMessage) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(context, "context");
        CompletableFuture<MessageContext> future = new CompletableFuture<>();
        if (loop.inEventLoop()) {
            submitSend(message, context, endOfMessage, future);
        } else {
            loop.execute(() -> submitSend(message, context, endOfMessage, future));
        }
        return future;
    }

    @Override
    public CompletionStage<Message> receive() {
        return receive(ReceiveRequest.UNSPECIFIED, Integer.MAX_VALUE);
    }

    @Override
    public CompletionStage<Message> receive(int minIncompleteLength, int maxLength) {
        if (maxLength < 1 || (minIncompleteLength < 0 && minIncompleteLength != ReceiveRequest.UNSPECIFIED)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "receive needs maxLength >= 1 and minIncompleteLength >= 0, got min=" + minIncompleteLength
                            + " max=" + maxLength);
        }
        CompletableFuture<Message> future = new CompletableFuture<>();
        runOnLoop(() -> {
            if (events.isTerminated()) {
                future.completeExceptionally(closedError("receive"));
                return;
            }
            if (direction == Direction.UNIDIRECTIONAL_SEND) {
                // A multicast send Connection (EP-03) or one asked to only send never gets data.
                future.completeExceptionally(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "the connection's direction is unidirectional send, so it cannot receive (RFC 9622 §6.2.16)"));
                return;
            }
            receiveRequests.add(new ReceiveRequest(minIncompleteLength, maxLength, future));
            deliverReceived();
        });
        return future;
    }

    @Override
    public void close() {
        runOnLoop(this::startClose);
    }

    @Override
    public void abort() {
        runOnLoop(this::doAbort);
    }

    @Override
    public ConnectionProperties getProperties() {
        Map<Property<?>, Object> values = new LinkedHashMap<>(connectionValues);
        values.put(Property.CONN_STATE, state);
        values.put(Property.CAN_SEND, canSend());
        values.put(Property.CAN_RECEIVE, canReceive());
        Link current = link;
        int max = current == null ? -1 : current.maxMessageSize();
        Limit sendMax = max < 0 ? Limit.UNLIMITED : Limit.of(canSend() ? max : 0);
        values.put(Property.SEND_MSG_MAX_LEN, canSend() ? sendMax : Limit.of(0));
        values.put(Property.RECV_MSG_MAX_LEN, canReceive() ? (max < 0 ? Limit.UNLIMITED : Limit.of(max)) : Limit.of(0));
        values.put(Property.SINGULAR_TRANSMISSION_MSG_MAX_LEN, sendMax);
        StackCapabilities chosen = stack;
        if (chosen == null) {
            // Selection Properties read as Booleans only once a stack provides them (C-22).
            return ConnectionProperties.of(values);
        }
        return ConnectionPropertiesSnapshots.forEstablished(properties, role, chosen, values);
    }

    @Override
    public void setProperty(String name, Object value) {
        Property<?> property = Property.byName(name);
        applyProperty(property, value);
    }

    @Override
    public <T> void setProperty(Property<T> property, T value) {
        applyProperty(property, value);
    }

    private void applyProperty(Property<?> property, Object rawValue) {
        switch (property.kind()) {
            case SELECTION:
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "selection property '"
                        + property.name() + "' is fixed once the connection is initiated (RFC 9622 §6.2, C-03)");
            case CONNECTION_READ_ONLY:
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                        "connection property '" + property.name() + "' is read-only (RFC 9622 §8.1.11)");
            case MESSAGE: {
                Object value = property.convert(rawValue);
                messageDefaults = messageDefaults.toBuilder().set(property.name(), value).build();
                return;
            }
            default:
                break;
        }
        Object value = property.convert(rawValue);
        Optional<String> namespace = property.namespace();
        StackCapabilities chosen = stack;
        if (namespace.isPresent() && "tcp".equals(namespace.get()) && chosen != null
                && !chosen.name().endsWith("TCP")) {
            throw new TransportServicesException(ErrorReason.PROPERTY_NOT_APPLICABLE, "'" + property.name()
                    + "' applies to TCP, but this connection uses " + chosen.name() + " (CP-X1)");
        }
        if (property != Property.CONN_PRIORITY) {
            // Entangled (RFC 9622 §7.4): the group stores it on every member, this one included.
            group.entangle(this, property, value);
        } else {
            storeProperty(property, value);
        }
    }

    /** Stores a Connection Property value and applies it to the link; the group calls it for entangled ones. */
    public void storeProperty(Property<?> property, Object value) {
        connectionValues.put(property, value);
        runOnLoop(() -> {
            Link current = link;
            if (current != null) {
                current.applyOption(property, value);
            }
            if (property == Property.SEND_QUEUE_LIMIT) {
                writeQueued();
            }
        });
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    @Override
    public Optional<String> protocolStack() {
        StackCapabilities chosen = stack;
        return chosen == null ? Optional.empty() : Optional.of(chosen.name());
    }

    @Override
    public Optional<RemoteEndpoint> remoteEndpoint() {
        Link current = link;
        return current == null ? Optional.empty() : Optional.of(RemoteEndpoint.of(current.remoteAddress()));
    }

    @Override
    public Optional<LocalEndpoint> localEndpoint() {
        Link current = link;
        if (current == null) {
            return Optional.empty();
        }
        InetSocketAddress local = current.localAddress();
        return Optional.of(LocalEndpoint.ofAddress(local.getAddress(), local.getPort()));
    }

    @Override
    public Optional<String> negotiatedApplicationProtocol() {
        Link current = link;
        return current == null ? Optional.empty() : current.applicationProtocol();
    }

    @Override
    public String toString() {
        return "Connection[" + state + ", " + protocolStack().orElse("establishing") + ", "
                + remoteEndpoint().map(Object::toString).orElse("-") + "]";
    }

    // ---------------------------------------------------------------- groups, Clone, transfer report

    /** Establishment bound of a clone when connTimeout is not set (as for Initiate). */
    private static final Duration DEFAULT_CLONE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Makes this Connection cloneable (RFC 9622 §7.4): the establisher that adopted the winner
     * hands over how its stack makes more Connections of the group, and the framer factories the
     * clones get new instances of. Without it, Clone fails with NotCloneable.
     */
    public void cloneable(CloneSupport support, List<FramerFactory> framers) {
        this.framerFactories = List.copyOf(framers);
        group.cloneSupport(support);
    }

    /** This Connection's Connection Property values (a live, unmodifiable view). */
    public Map<Property<?>, Object> connectionValues() {
        return java.util.Collections.unmodifiableMap(connectionValues);
    }

    /** The group as its internal type, for the establishers and the system's bookkeeping. */
    public TapsConnectionGroup connectionGroup() {
        return group;
    }

    @Override
    public ConnectionGroup group() {
        return group;
    }

    @Override
    public Connection clone() {
        return clone(null, null);
    }

    @Override
    public Connection clone(TransportProperties overrides) {
        return clone(null, overrides);
    }

    @Override
    public Connection clone(FramerFactory framer, TransportProperties overrides) {
        Map<Property<?>, Object> overridden = overrides == null ? Map.of() : overrides.explicitValues();
        for (Map.Entry<Property<?>, Object> entry : overridden.entrySet()) {
            Property<?> property = entry.getKey();
            if (property.kind() == PropertyKind.SELECTION
                    && !Objects.equals(property.convert(entry.getValue()), properties.get(property))) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "selection property '"
                        + property.name() + "' cannot change on Clone: the clone uses this connection's protocol"
                        + " stack (RFC 9622 §7.4)");
            }
        }
        TapsConnection clone = new TapsConnection(loop, eventExecutor, properties, Role.INITIATE, handler);
        // Property is copied as it is now, connPriority included (RFC 9622 §7.4), then the overrides.
        clone.connectionValues.putAll(connectionValues);
        MessageProperties cloneDefaults = messageDefaults;
        Map<Property<?>, Object> entangledOverrides = new LinkedHashMap<>();
        for (Map.Entry<Property<?>, Object> entry : overridden.entrySet()) {
            Property<?> property = entry.getKey();
            if (property.kind() == PropertyKind.MESSAGE) {
                cloneDefaults = cloneDefaults.toBuilder().set(property.name(), entry.getValue()).build();
            } else if (property.kind() == PropertyKind.CONNECTION) {
                clone.connectionValues.put(property, property.convert(entry.getValue()));
                if (property != Property.CONN_PRIORITY) {
                    entangledOverrides.put(property, property.convert(entry.getValue()));
                }
            }
        }
        clone.messageDefaults = cloneDefaults;
        clone.framerFactories = framer != null ? List.of(framer) : framerFactories;
        Timeout connTimeout = (Timeout) clone.connectionValues.get(Property.CONN_TIMEOUT);
        Duration timeout = connTimeout.isNone() ? DEFAULT_CLONE_TIMEOUT : connTimeout.duration();
        TapsConnectionGroup joined = group;
        TransportServicesException refused = clone.joinGroup(joined);
        CloneRequest request = new CloneRequest(this, clone, clone.framerFactories, timeout);
        if (refused != null) {
            // Never raised before clone() returns, so the caller has the clone in hand first.
            loop.execute(() -> request.failed(refused));
            return clone;
        }
        entangledOverrides.forEach((property, value) -> joined.entangle(clone, property, value));
        // Before Ready the clone waits for the original (RFC 9622 leaves it open; Q-16).
        // Closed also ends the wait: a Close before Ready completes closed() but never ready().
        CompletableFuture.anyOf(readyFuture, closedFuture)
                .whenComplete((ready, failure) -> loop.execute(() -> openClone(request, framer == null,
                        failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure)));
        return clone;
    }

    private void openClone(CloneRequest request, boolean inheritFramers, Throwable originalFailure) {
        if (request.cloned().state() == ConnectionState.CLOSED) {
            return;
        }
        if (originalFailure != null) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE,
                    "the original connection never became ready: " + originalFailure.getMessage(), originalFailure));
            return;
        }
        if (closeRequested || state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE,
                    "the original connection is " + (state == ConnectionState.CLOSED ? "closed" : "closing")
                            + " (RFC 9622 §7.4)"));
            return;
        }
        CloneSupport support = group.cloneSupport();
        if (support == null) {
            request.failed(new TransportServicesException(ErrorReason.NOT_CLONEABLE, (role == Role.LISTEN
                    ? "a connection a Listener accepted cannot be cloned: its remote port is the peer's"
                            + " ephemeral port, not a service to connect to"
                    : "the " + protocolStack().orElse("chosen") + " stack of this connection cannot be cloned")
                    + " (RFC 9622 §7.4)"));
            return;
        }
        if (inheritFramers) {
            // Before Ready the original had no framer factories yet (the winner's establisher hands
            // them over), so a Clone called then takes them now.
            request.cloned().framerFactories = framerFactories;
            request = new CloneRequest(this, request.cloned(), framerFactories, request.timeout());
        }
        try {
            support.open(request);
        } catch (RuntimeException failure) {
            request.failed(failure instanceof TransportServicesException ? (TransportServicesException) failure
                    : new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                            "opening the clone failed: " + failure, failure));
        }
    }

    /**
     * Moves this Connection into {@code target} (RFC 9622 §7.4): a clone, or a passive member such
     * as a new stream a peer opened on a multistream connection. It takes the group's entangled
     * property values. Returns the refusal when the group is full ({@code groupConnLimit}, CP-09),
     * else null.
     */
    public TransportServicesException joinGroup(TapsConnectionGroup target) {
        TransportServicesException refused = target.admit(this);
        if (refused == null) {
            this.group = target;
        }
        return refused;
    }

    /** CloneError (RFC 9622 §7.4, E-08) on this Connection, unless it can no longer raise events. */
    public void raiseCloneError(TransportServicesException error) {
        runOnLoop(() -> events.emit(() -> handler.cloneError(this, error)));
    }

    @Override
    public TransferReport transferReport() {
        long ready = readyNanos;
        long closed = closedNanos;
        Duration duration = ready == 0 ? Duration.ZERO
                : Duration.ofNanos(Math.max(0, (closed != 0 ? closed : System.nanoTime()) - ready));
        Duration rtt = state != ConnectionState.CLOSED ? currentRtt() : lastRtt;
        return new TransferReport(bytesSent, bytesReceived, messagesSent, messagesReceived, rtt, duration, readyAt);
    }

    private Duration currentRtt() {
        Link current = link;
        Duration rtt = current == null ? null : current.smoothedRtt().orElse(null);
        if (rtt != null) {
            lastRtt = rtt;
        } else {
            rtt = lastRtt;
        }
        return rtt;
    }

    /** Keeps the last RTT before the transport goes away, for the report after Closed. */
    private void sampleRtt() {
        if (link != null) {
            currentRtt();
        }
    }

    // ---------------------------------------------------------------- sending

    private boolean canSend() {
        return !finalSent && !closeRequested && state != ConnectionState.CLOSED
                && direction != Direction.UNIDIRECTIONAL_RECEIVE;
    }

    private boolean canReceive() {
        return !inputEnded && state != ConnectionState.CLOSED
                && direction != Direction.UNIDIRECTIONAL_SEND;
    }

    private void submitSend(Message message, MessageContext context, boolean endOfMessage,
            CompletableFuture<MessageContext> future) {
        if (events.isTerminated()) {
            future.completeExceptionally(closedError("send"));
            return;
        }
        MessageProperties effective = context.properties().withDefaults(messageDefaults);
        TransportServicesException refusal = refuseSend(message, effective, endOfMessage);
        if (refusal != null) {
            sendError(context, future, refusal);
            return;
        }
        boolean isFinal = effective.get(Property.FINAL) && endOfMessage;
        boolean ordered = effective.explicit(Property.MSG_ORDERED).orElseGet(this::orderedByDefault);
        PendingSend pending = new PendingSend(message, context, endOfMessage, sendSequence++,
                effective.get(Property.MSG_PRIORITY), ordered, isFinal, future);
        if (isFinal) {
            finalSent = true;
        }
        Limit queueLimit = (Limit) connectionValues.get(Property.SEND_QUEUE_LIMIT);
        boolean mustQueue = state != ConnectionState.ESTABLISHED || !sendQueue.isEmpty() || !link.isWritable();
        if (!mustQueue) {
            write(pending);
            return;
        }
        if (!queueLimit.allows(sendQueue.bytes() + pending.size())) {
            if (isFinal) {
                finalSent = false;
            }
            sendError(context, future, new TransportServicesException(ErrorReason.SEND_QUEUE_FULL,
                    "send queue holds " + sendQueue.bytes() + " bytes; adding " + pending.size()
                            + " would pass _taps.sendQueueLimit=" + queueLimit));
            return;
        }
        Timeout lifetime = effective.get(Property.MSG_LIFETIME);
        if (!lifetime.isNone()) {
            pending.expiry = loop.schedule(() -> expire(pending), lifetime.duration().toNanos(), TimeUnit.NANOSECONDS);
        }
        sendQueue.add(pending);
    }

    /** Checks a send against the connection's state and properties (E-13, MP-X1, MP-04, MP-05). */
    private TransportServicesException refuseSend(Message message, MessageProperties effective, boolean endOfMessage) {
        if (finalSent) {
            return new TransportServicesException(ErrorReason.FINAL_MESSAGE_SENT,
                    "a Final message was already sent on this connection (RFC 9622 §9.1.3.5)");
        }
        if (closeRequested || state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            return new TransportServicesException(ErrorReason.CONNECTION_CLOSED, "the connection is closing");
        }
        if (direction == Direction.UNIDIRECTIONAL_RECEIVE) {
            return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the connection's direction is unidirectional receive, so it cannot send");
        }
        Link current = link;
        if (current != null && current.maxMessageSize() >= 0 && message.length() > current.maxMessageSize()) {
            return new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "message of " + message.length()
                    + " bytes exceeds sendMsgMaxLen " + current.maxMessageSize() + " of " + stack.name());
        }
        StackCapabilities chosen = stack;
        if (chosen != null) {
            boolean reliable = chosen.support(Property.RELIABILITY) == Support.ALWAYS;
            Optional<Boolean> askedReliable = effective.explicit(Property.MSG_RELIABLE);
            if (askedReliable.isPresent() && askedReliable.get() != reliable
                    && chosen.support(Property.PER_MSG_RELIABILITY) == Support.NEVER) {
                return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "msgReliable="
                        + askedReliable.get() + " needs per-message reliability, which " + chosen.name()
                        + " does not offer (RFC 9622 §9.1.3.7)");
            }
            if (!current.byteStream() && !endOfMessage) {
                return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "partial sends need a"
                        + " byte-stream stack; on " + chosen.name() + " every send is one whole datagram (RFC 9622 §9.2.3)");
            }
            if (!current.byteStream() && !effective.get(Property.SAFELY_REPLAYABLE)) {
                return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, chosen.name()
                        + " may duplicate messages, so every message must be safelyReplayable (RFC 9622 §9.1.3.4);"
                        + " use TransportProperties.unreliableDatagram() or set safelyReplayable");
            }
        }
        return null;
    }

    private boolean orderedByDefault() {
        StackCapabilities chosen = stack;
        return chosen == null || chosen.support(Property.PRESERVE_ORDER) == Support.ALWAYS;
    }

    private void write(PendingSend pending) {
        pending.cancelExpiry();
        ByteBuf data = Unpooled.wrappedBuffer(MESSAGES.array(pending.message));
        writesInFlight++;
        ChannelFuture written = link.writeMessage(data, pending.context, pending.endOfMessage);
        link.flush();
        written.addListener(result -> {
            writesInFlight--;
            if (result.isSuccess()) {
                messagesSent++;
                bytesSent += pending.message.length();
                TransportObserver current = observer;
                if (current != TransportObserver.NONE) {
                    current.messageSent(this, pending.message.length());
                }
                events.emit(() -> handler.sent(this, pending.context), () -> {
                    pending.future.complete(pending.context);
                });
                if (pending.isFinal) {
                    link.shutdownOutput(() -> { });
                    outputShutdown = true;
                }
            } else {
                Throwable cause = result.cause();
                sendError(pending.context, pending.future, cause instanceof TransportServicesException
                        ? (TransportServicesException) cause
                        : new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                                "the stack failed to send the message", cause));
            }
            continueClosing();
        });
    }

    /** Writes queued messages while the stack accepts them; runs when Ready or writable again. */
    public void writeQueued() {
        while (state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSING) {
            if (link == null || !link.isWritable()) {
                return;
            }
            PendingSend next = sendQueue.pollNext();
            if (next == null) {
                break;
            }
            write(next);
        }
        continueClosing();
    }

    private void expire(PendingSend pending) {
        if (sendQueue.remove(pending)) {
            pending.expiry = null;
            if (pending.isFinal) {
                finalSent = false;
            }
            events.emit(() -> handler.expired(this, pending.context), () -> {
                pending.future.completeExceptionally(new TransportServicesException(ErrorReason.TIMEOUT,
                        "msgLifetime ended before the message could be sent (Expired, RFC 9622 §9.2.2.2)"));
            });
            continueClosing();
        }
    }

    private void sendError(MessageContext context, CompletableFuture<MessageContext> future,
            TransportServicesException error) {
        TransportObserver current = observer;
        if (current != TransportObserver.NONE) {
            current.error(this, TransportObserver.ErrorKind.SEND, error.reason());
        }
        boolean raised = events.emit(() -> handler.sendError(this, context, error), () -> {
            future.completeExceptionally(error);
        });
        if (!raised) {
            future.completeExceptionally(error);
        }
    }

    // ---------------------------------------------------------------- receiving (called by the stack)

    /** Stream bytes arrived; takes ownership of {@code data}. */
    public void onStreamData(ByteBuf data) {
        if (events.isTerminated()) {
            data.release();
            return;
        }
        bytesReceived += data.readableBytes();
        inbound.add(new InboundQueue.Unit(data, null, false));
        deliverReceived();
    }

    /**
     * A framer delivered (part of) a Message (RFC 9623 §6.3); takes ownership of {@code data}.
     * Parts of one Message arrive in order, the last with {@code endOfMessage}.
     */
    public void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        if (events.isTerminated() || framingError != null) {
            data.release();
            return;
        }
        if (!data.isReadable() && !endOfMessage) {
            data.release();
            return;
        }
        bytesReceived += data.readableBytes();
        if (endOfMessage) {
            messagesReceived++;
        }
        inbound.add(new InboundQueue.Unit(data, context, endOfMessage));
        deliverReceived();
    }

    /**
     * A framer failed the Connection after Ready (RFC 9623 §6.1 FailConnection): the Messages it
     * delivered before are still received; then the Connection ends with ConnectionError.
     */
    public void onFramingError(TransportServicesException error) {
        if (events.isTerminated() || framingError != null) {
            return;
        }
        framingError = error;
        deliverReceived();
    }

    /** A datagram arrived from {@code sender}; takes ownership of {@code data}. */
    public void onDatagram(ByteBuf data, InetSocketAddress sender) {
        if (events.isTerminated() || inbound.bytes() > DATAGRAM_BUFFER_LIMIT) {
            data.release();
            return;
        }
        bytesReceived += data.readableBytes();
        messagesReceived++;
        inbound.add(new InboundQueue.Unit(data, receivedContext(sender, false), true));
        deliverReceived();
    }

    /** The peer ended its sending direction (TCP FIN): end of the stream Message, no Closed (RFC 9623 §10.1). */
    public void onInputShutdown() {
        if (inputEnded) {
            return;
        }
        if (framingError != null) {
            inputEnded = true;
            deliverReceived();
            return;
        }
        if (failureCause != null) {
            // With half-closure allowed, Netty reports a read error (a peer's RST) as input shutdown.
            failWithConnectionError(new TransportServicesException(ErrorReason.CONNECTION_ABORTED,
                    "the connection was reset: " + failureCause, failureCause));
            return;
        }
        inputEnded = true;
        if (link != null && !link.framed()) {
            // Without a framer the whole stream is one Message (RFC 9622 §9.3); the peer's FIN ends it.
            messagesReceived++;
        }
        inbound.add(new InboundQueue.Unit(Unpooled.EMPTY_BUFFER, receivedContext(null, true), true, true));
        deliverReceived();
        if (closeRequested) {
            continueClosing();
        }
    }

    /** The channel is gone: finishes a close, or reports the loss as ConnectionError. */
    public void onLinkClosed() {
        if (events.isTerminated()) {
            return;
        }
        if (closeRequested && failureCause == null) {
            finishClosed();
            return;
        }
        Throwable cause = failureCause;
        TransportServicesException error = cause instanceof TransportServicesException
                ? (TransportServicesException) cause
                : new TransportServicesException(ErrorReason.CONNECTION_ABORTED,
                        cause == null ? "the peer closed the connection" : "the connection failed: " + cause, cause);
        failWithConnectionError(error);
    }

    /** A failure the stack reported; soft errors are passed on, hard ones end the connection later. */
    public void onLinkException(Throwable cause) {
        if (cause instanceof java.net.PortUnreachableException) {
            Preference notify = properties.get(Property.SOFT_ERROR_NOTIFY);
            if (notify == Preference.REQUIRE || notify == Preference.PREFER) {
                TransportServicesException soft = new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                        "ICMP port unreachable from the remote endpoint", cause);
                events.emit(() -> handler.softError(this, soft));
            }
            return;
        }
        if (failureCause == null) {
            failureCause = cause;
        }
    }

    private MessageContext receivedContext(InetSocketAddress sender, boolean isFinal) {
        if (sender == null && !isFinal && link != null) {
            // A connected link's endpoints never change: one immutable context serves every Message.
            MessageContext shared = linkContext;
            if (shared == null) {
                shared = newReceivedContext(null, false);
                linkContext = shared;
            }
            return shared;
        }
        return newReceivedContext(sender, isFinal);
    }

    private MessageContext newReceivedContext(InetSocketAddress sender, boolean isFinal) {
        Link current = link;
        InetSocketAddress from = sender != null ? sender : current == null ? null : current.remoteAddress();
        InetSocketAddress to = current == null ? null : current.localAddress();
        return MessageContext.received(from == null ? null : RemoteEndpoint.of(from),
                to == null ? null : LocalEndpoint.ofAddress(to.getAddress(), to.getPort()), isFinal);
    }

    /** A Receive after the peer's end of stream was delivered gets ReceiveError, never a hang. */
    private void refuseReceiveAfterStreamEnd(ReceiveRequest request) {
        TransportServicesException error = new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the peer ended the stream; no further messages will arrive");
        observeReceiveError(error);
        events.emit(() -> handler.receiveError(this, MessageContext.create(), error), () -> {
            request.future.completeExceptionally(error);
        });
    }

    /** Matches buffered data with outstanding Receive calls, one event per call. */
    private void deliverReceived() {
        while (!receiveRequests.isEmpty() && !events.isTerminated()) {
            ReceiveRequest request = receiveRequests.peek();
            Message delivered;
            if (link != null && link.framed()) {
                delivered = takeFramedMessage(request);
                if (delivered == END_OF_STREAM) {
                    refuseReceiveAfterStreamEnd(receiveRequests.poll());
                    continue;
                }
            } else if (link == null || link.byteStream()) {
                if (streamEndDelivered) {
                    refuseReceiveAfterStreamEnd(receiveRequests.poll());
                    continue;
                }
                delivered = takeStreamMessage(request);
            } else {
                delivered = takeDatagramMessage(request);
            }
            if (delivered == null) {
                break;
            }
            receiveRequests.poll();
            boolean complete = delivered.endOfMessage() && !partialDelivered;
            partialDelivered = !delivered.endOfMessage();
            TransportObserver current = observer;
            if (current != TransportObserver.NONE) {
                current.messageReceived(this, delivered.length(), delivered.endOfMessage());
            }
            Message message = delivered;
            events.emit(() -> {
                if (complete) {
                    handler.received(this, message);
                } else {
                    handler.receivedPartial(this, message);
                }
            }, () -> request.future.complete(message));
        }
        if (framingError != null && !events.isTerminated() && framingErrorDue()) {
            failWithConnectionError(framingError);
            return;
        }
        updateReading();
    }

    /** A framing failure is raised once nothing delivered before it is left to receive. */
    private boolean framingErrorDue() {
        InboundQueue.Unit head = inbound.peek();
        // An unfinished Message before the failure can never be completed: it is dropped.
        return head == null || head.endOfStream || (inbound.headMessage() & 1) == 0;
    }

    /**
     * The next Message (or part) of a framed link: a whole Message when its end is queued and it
     * fits {@code maxLength}; else a part once {@code minIncompleteLength} bytes of it are queued
     * (unspecified: the smaller of maxLength and the receive high-water mark, so an earmarked huge
     * Message is never held whole).
     */
    private Message takeFramedMessage(ReceiveRequest request) {
        InboundQueue.Unit head = inbound.peek();
        if (head == null) {
            return streamEndDelivered && framingError == null ? END_OF_STREAM : null;
        }
        if (head.endOfStream && !partialDelivered) {
            if (framingError != null) {
                return null;
            }
            // The peer's FIN between Messages: an empty final Message, as on an unframed stream
            // (RFC 9622 §9.3.3.3); receives after it get ReceiveError.
            MessageContext end = inbound.takeEndOfStream();
            streamEndDelivered = true;
            return MESSAGES.adopt(new byte[0], end, true);
        }
        long packed = inbound.headMessage();
        long queued = packed >>> 1;
        boolean complete = (packed & 1) != 0;
        MessageContext context = head.context != null ? head.context : receivedContext(null, false);
        if (complete && queued <= request.maxLength) {
            boolean endsStream = lastUnitEndsStream();
            byte[] bytes = inbound.takeMessageBytes((int) queued, true);
            if (endsStream) {
                streamEndDelivered = true;
            }
            return MESSAGES.adopt(bytes, context, true);
        }
        long wanted = request.minIncompleteLength == ReceiveRequest.UNSPECIFIED
                ? Math.min(request.maxLength, RECEIVE_HIGH_WATER)
                : Math.max(1, Math.min(request.minIncompleteLength, request.maxLength));
        if (queued < wanted) {
            return null;
        }
        int length = (int) Math.min(queued, request.maxLength);
        return MESSAGES.adopt(inbound.takeMessageBytes(length, false), context, false);
    }

    private boolean lastUnitEndsStream() {
        return inbound.endOfStreamQueued() && inbound.headMessageEndsStream();
    }

    private Message takeStreamMessage(ReceiveRequest request) {
        long available = inbound.streamBytesAvailable();
        boolean end = inbound.endOfStreamQueued();
        int wanted = request.minIncompleteLength == ReceiveRequest.UNSPECIFIED ? 1
                : Math.max(1, Math.min(request.minIncompleteLength, request.maxLength));
        if (available < wanted && !end) {
            return null;
        }
        int length = (int) Math.min(available, request.maxLength);
        byte[] bytes = inbound.takeStreamBytes(length);
        boolean endOfMessage = end && length == available;
        MessageContext context;
        if (endOfMessage) {
            context = inbound.takeEndOfStream();
            streamEndDelivered = true;
        } else {
            context = receivedContext(null, false);
        }
        return MESSAGES.adopt(bytes, context, endOfMessage);
    }

    private Message takeDatagramMessage(ReceiveRequest request) {
        InboundQueue.Unit head = inbound.peek();
        if (head == null) {
            return null;
        }
        MessageContext context = head.context;
        int remaining = head.data.readableBytes();
        byte[] bytes = inbound.takeFromHead(request.maxLength);
        return MESSAGES.adopt(bytes, context, bytes.length == remaining);
    }

    private void updateReading() {
        Link current = link;
        if (current == null) {
            return;
        }
        if (reading && inbound.bytes() > RECEIVE_HIGH_WATER) {
            reading = false;
            current.setReading(false);
        } else if (!reading && inbound.bytes() < RECEIVE_LOW_WATER) {
            reading = true;
            current.setReading(true);
        }
    }

    // ---------------------------------------------------------------- closing

    private void startClose() {
        if (events.isTerminated() || closeRequested) {
            return;
        }
        closeRequested = true;
        sampleRtt();
        if (state == ConnectionState.ESTABLISHING) {
            if (!sendQueue.isEmpty()) {
                // Queued data is delivered first: establishment goes on and establish() closes afterwards.
                return;
            }
            cancelEstablishment();
            finishClosed();
            return;
        }
        state = ConnectionState.CLOSING;
        Timeout closeTimeout = (Timeout) connectionValues.get(Property.CLOSE_TIMEOUT);
        if (!closeTimeout.isNone()) {
            closeTimer = loop.schedule(this::closeTimedOut, closeTimeout.duration().toNanos(), TimeUnit.NANOSECONDS);
        }
        writeQueued();
    }

    /** Once everything queued was written: FIN (after close_notify on TLS), then wait for the peer's FIN. */
    private void continueClosing() {
        if (!closeRequested || events.isTerminated() || state != ConnectionState.CLOSING) {
            return;
        }
        if (!sendQueue.isEmpty() || writesInFlight > 0) {
            return;
        }
        Link current = link;
        if (!outputShutdown) {
            outputShutdown = true;
            current.shutdownOutput(this::continueClosing);
            return;
        }
        if (inputEnded || !current.byteStream()) {
            current.close(() -> { });
        }
    }

    private void closeTimedOut() {
        if (events.isTerminated()) {
            return;
        }
        for (PendingSend pending : sendQueue.drainAll()) {
            pending.cancelExpiry();
            sendError(pending.context, pending.future, new TransportServicesException(ErrorReason.TIMEOUT,
                    "the close timeout ended before the message could be sent"));
        }
        Link current = link;
        if (current != null) {
            current.close(() -> { });
        } else {
            finishClosed();
        }
    }

    private void finishClosed() {
        if (events.isTerminated()) {
            return;
        }
        state = ConnectionState.CLOSED;
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        failPendingReceives(new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the connection closed before a message arrived for this receive"));
        inbound.releaseAll();
        // The end of the transfer report's duration is fixed before closed() can complete.
        closedNanos = System.nanoTime();
        events.emitTerminal(() -> handler.closed(this), () -> {
            closedFuture.complete(null);
        });
        terminated();
    }

    private void doAbort() {
        if (events.isTerminated()) {
            return;
        }
        if (state == ConnectionState.ESTABLISHING) {
            cancelEstablishment();
        }
        Link current = link;
        if (current != null) {
            sampleRtt();
            current.reset();
        }
        failWithConnectionError(new TransportServicesException(ErrorReason.LOCAL_ABORT,
                "the application aborted the connection (RFC 9622 §10)"));
    }

    private void failWithConnectionError(TransportServicesException error) {
        state = ConnectionState.CLOSED;
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        for (PendingSend pending : sendQueue.drainAll()) {
            pending.cancelExpiry();
            sendError(pending.context, pending.future, error);
        }
        failPendingReceives(error);
        inbound.releaseAll();
        Link current = link;
        if (current != null) {
            current.close(() -> { });
        }
        closedNanos = System.nanoTime();
        events.emitTerminal(() -> handler.connectionError(this, error), () -> {
            readyFuture.completeExceptionally(error);
            closedFuture.completeExceptionally(error);
        });
        terminated();
    }

    private void cancelEstablishment() {
        Runnable canceller = establishmentCanceller;
        establishmentCanceller = null;
        if (canceller != null) {
            canceller.run();
        }
    }

    private void failPendingReceives(TransportServicesException error) {
        ReceiveRequest request;
        while ((request = receiveRequests.poll()) != null) {
            ReceiveRequest failed = request;
            observeReceiveError(error);
            events.emit(() -> handler.receiveError(this, MessageContext.create(), error), () -> {
                failed.future.completeExceptionally(error);
            });
        }
    }

    private void observeReceiveError(TransportServicesException error) {
        TransportObserver current = observer;
        if (current != TransportObserver.NONE) {
            current.error(this, TransportObserver.ErrorKind.RECEIVE, error.reason());
        }
    }

    private void failReceivesSilently(TransportServicesException error) {
        ReceiveRequest request;
        while ((request = receiveRequests.poll()) != null) {
            request.future.completeExceptionally(error);
        }
    }

    private void terminated() {
        group.memberEnded(this);
        Runnable callback = onTerminated;
        onTerminated = null;
        if (callback != null) {
            callback.run();
        }
    }

    private TransportServicesException closedError(String action) {
        return new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "cannot " + action + ": the connection is already " + state);
    }

    private void runOnLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /**
     * Raises an event through this connection's dispatcher, so that a Listener's
     * ConnectionReceived comes before any event of the connection itself.
     */
    public void emitFirst(Runnable event) {
        events.emit(event);
    }
}
