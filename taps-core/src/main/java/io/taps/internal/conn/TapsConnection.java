package io.taps.internal.conn;

import io.netty.channel.EventLoop;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ConnectionGroup;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.internal.flow.ChunkPublisher;
import io.taps.internal.flow.PublisherSender;
import io.taps.internal.flow.ReceivePublisher;
import io.taps.internal.flow.StreamReader;
import io.taps.internal.group.CloneCoordinator;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.group.GroupMember;
import io.taps.internal.group.TapsConnectionGroup;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.TransferReport;
import io.taps.monitor.TransportObserver;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The Connection of RFC 9622 on a Netty event loop: the facade over its parts. {@link Lifecycle}
 * runs the state machine (§11, E-20), {@link SendPath} and {@link ReceivePath} move the data,
 * {@link PropertyStore} holds the property values and {@link PropertyActions} sets and reads them,
 * {@link KnownEndpoints} keeps the endpoints it knows, {@link TransferCounters} the transfer
 * report, {@link IdleTimer} ends it after {@code _taps.idleTimeout} without traffic, and the group
 * package coordinates Clone; events are delivered in order (E-21) by its {@link EventDispatcher}.
 *
 * <p>The parts that every Connection has are layers of this one object, each a superclass in a
 * file of its own: EventDispatcher, TransferCounters, Lifecycle, SendQueue, SendPath,
 * InboundQueue, WaitingReceives, ReceivePath, then this facade. As objects each cost a header, a
 * reference to the Connection and one from it: the four objects were 352 B, the one is 288 B
 * (issue 21 figure 12), and a Message touches one object instead of four. A layer calls those
 * below it by name and those above through a cast of {@code this} (sealed: always this class).
 * The link reports to the Connection as its {@link LinkEvents}, each event handled by the layer it
 * concerns: data and the peer's end by ReceivePath, writability by SendPath, the flow's end and
 * failures by Lifecycle.
 *
 * <p>Everything that changes state runs on the connection's one event loop, chosen when it is
 * created; public methods called from other threads hop onto it. The same object serves actively
 * opened connections (established by an establisher that calls {@link #establish}) and connections
 * a Listener received ({@link #establishPassive}).
 *
 * <p>It is the facade of every RFC 9622 Connection action (§7-§10: send, receive, batches,
 * endpoints, properties, clone, close), each a few lines that hop onto the event loop and hand over
 * to the layer that does the work. Longer than 500 lines because it is the one facade of the whole
 * Connection interface: with the stream conveniences of issue 22 (messages, sendAll, receiveAll:
 * one-line hand-overs to {@code internal.flow}) it passes 500, and splitting a facade would only
 * move its delegations.
 */
public final class TapsConnection extends ReceivePath implements GroupMember, LinkEvents {
    private static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Creation order in this JVM: listings order by it, as a group made later no longer says when
     * its Connection was. An int that wraps, compared by its difference ({@link #compareCreation}), not
     * a long: 4 B of every Connection (issue 21 figure 12); the order holds among Connections made
     * fewer than 2^31 creations apart.
     */
    private final int creationOrder = CREATED.incrementAndGet();
    private final EventLoop loop;
    // Read from any thread and shared with sibling Connections until written (PropertyStore.ownOf).
    volatile PropertyStore store;
    /** What it makes only when asked for ({@link ConnectionExtras}); made under this object's lock. */
    private volatile ConnectionExtras extras;
    /** Its neighbours in its engine's {@link ConnectionRegistry}, while tracked; guarded by the registry. */
    TapsConnection trackedPrevious;
    TapsConnection trackedNext;
    private volatile ConnectionEventHandler handler;
    private volatile StackCapabilities stack;
    private volatile Link link;
    /**
     * An EstablishmentReport, or until an accepted Connection's is asked for, what it is made of
     * ({@link AcceptedReport}). Written under this object's lock once it can be asked for.
     */
    private volatile Object establishmentReport = EstablishmentReport.empty();
    /**
     * The engine tracking it, set once before the Connection is handed out (its observer and its
     * clone tracker, which a group made later gets); null for none. Written under this object's lock.
     */
    private volatile ConnectionOwner owner;

    public TapsConnection(EventLoop loop, Executor eventExecutor, TransportProperties properties, Role role,
            ConnectionEventHandler handler) {
        super(eventExecutor);
        this.loop = loop;
        this.store = PropertyStore.sharedFor(properties, role);
        this.handler = handler;
    }

    // ---------------------------------------------------------------- the parts' shared view

    ConnectionEventHandler handler() {
        return handler;
    }

    /** Tells the owner that closed() has its outcome (see {@link Outcomes#tellOwnerWhenClosed}). */
    void ownerClosed() {
        ConnectionOwner current = owner;
        if (current != null) {
            current.connectionClosed(this);
        }
    }

    /** The owner's observer; NONE (one compare per event) when nobody observes. */
    TransportObserver observer() {
        ConnectionOwner current = owner;
        return current == null ? TransportObserver.NONE : current.connectionObserver();
    }

    StackCapabilities stack() {
        return stack;
    }

    // ---------------------------------------------------------------- for establishers, listeners, the engine

    public EventLoop eventLoop() {
        return loop;
    }

    public TransportProperties transportProperties() {
        return store.transportProperties();
    }

    /** The establishment report so far (RFC 9623 §4); the establisher updates it on the event loop. */
    public void establishmentReport(EstablishmentReport report) {
        this.establishmentReport = Objects.requireNonNull(report, "report");
    }

    @Override
    public EstablishmentReport establishmentReport() {
        Object report = establishmentReport;
        if (!(report instanceof EstablishmentReport)) {
            synchronized (this) {
                report = AcceptedReport.built(establishmentReport, stack.name());
                establishmentReport = report;
            }
        }
        return (EstablishmentReport) report;
    }

    /**
     * PathChange (RFC 9622 §8.3.2, E-10): an interface this connection's local address is on
     * changed. Only reported: a lost path may come back, so nothing is closed here (M-59).
     */
    public void onPathChange() {
        runOnLoop(() -> {
            ConnectionState state = state();
            if (state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSING) {
                emit(() -> handler.pathChange(this));
                TransportObserver current = observer();
                if (current != TransportObserver.NONE) {
                    current.pathChange(this);
                }
            }
        });
    }

    /** The link this Connection was established on, or null before establishment. */
    public Link link() {
        return link;
    }

    /** The Preconnection's endpoints, which the Connection knows from the start (RFC 9622 §7.5). */
    public void knownEndpoints(List<LocalEndpoint> locals, List<RemoteEndpoint> remotes) {
        endpoints().known(locals, remotes);
    }

    /** {@link #endpoints}, made now with the flow in use if there is one. */
    private KnownEndpoints endpoints() {
        KnownEndpoints known = endpointsIfMade();
        if (known == null) {
            synchronized (this) {
                ConnectionExtras made = extras();
                known = made.endpoints;
                if (known == null) {
                    known = new KnownEndpoints();
                    Link adopted = link;
                    if (adopted != null) {
                        known.inUse(adopted);
                    }
                    made.endpoints = known;
                }
            }
        }
        return known;
    }

    private KnownEndpoints endpointsIfMade() {
        ConnectionExtras made = extras;
        return made == null ? null : made.endpoints;
    }

    /** {@link #extras}, made now if it was not yet. */
    private ConnectionExtras extras() {
        ConnectionExtras made = extras;
        if (made == null) {
            synchronized (this) {
                made = extras;
                if (made == null) {
                    made = new ConnectionExtras();
                    extras = made;
                }
            }
        }
        return made;
    }

    /**
     * Tells {@code end} once {@link #closed()} has its outcome (normally or not), as a dependent of
     * that future would, without making the future or keeping a closure per Connection: one
     * {@code end} serves all of its owner's Connections.
     */
    public void whenClosed(ConnectionEnd end) {
        onClosed(end);
    }

    /** Adopts the winning link and raises Ready (E-01), RendezvousDone for a Rendezvous (E-06); on the event loop. */
    public void establish(Link winner, StackCapabilities chosenStack) {
        adopt(winner, chosenStack);
        if (store.role() == Role.RENDEZVOUS) {
            emit(() -> handler.rendezvousDone(this), this::completeReady);
        } else {
            emit(() -> handler.ready(this), this::completeReady);
        }
        raiseEarlySent();
        afterReady();
    }

    /**
     * Adopts a link a Listener accepted. The Listener raises ConnectionReceived itself, so no
     * Ready is raised here; {@link #ready()} still completes for code that waits on it.
     */
    public void establishPassive(Link accepted, StackCapabilities chosenStack) {
        // What was true at acceptance, kept as it is; the report itself is made when asked for.
        adopt(accepted, chosenStack);
        synchronized (this) {
            establishmentReport = AcceptedReport.pending(accepted);
        }
        completeReady();
    }

    private void adopt(Link winner, StackCapabilities chosenStack) {
        establishmentReport(); // an accepted Connection's report is of its first flow and stack
        synchronized (this) {
            // A second flow keeps the first one's endpoints known: they need the object now.
            KnownEndpoints known = link != null ? endpoints() : endpointsIfMade();
            this.link = winner;
            if (known != null) {
                known.inUse(winner);
            }
        }
        // with framers, a byte stream preserves message boundaries, as selection assumed.
        this.stack = winner.framed() ? chosenStack.withFramer() : chosenStack;
        receiveOn(winner);
        established();
        markReady();
        PropertyStore.applyAll(this, winner);
        IdleTimer.restart(this);
    }

    /** EstablishmentError (E-02): establishment failed; the connection is now Closed. */
    @Override
    public void failEstablishment(TransportServicesException error) {
        runOnLoop(() -> establishmentFailed(error));
    }

    /**
     * Raises an event through this connection's dispatcher, so that a Listener's
     * ConnectionReceived comes before any event of the connection itself.
     */
    public void emitFirst(Runnable event) {
        emit(event);
    }

    // ---------------------------------------------------------------- io.taps.Connection

    @Override
    public CompletionStage<Connection> ready() {
        return readyFuture().minimalCompletionStage();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closedFuture().minimalCompletionStage();
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
        // A borrowed Message is read here, in its handler, into bytes the Send owns.
        PendingSend send = new PendingSend(this, message, carriedBytes(message), context, endOfMessage, false);
        submitSend(send);
        return send;
    }

    /** Hands a Send to the loop; if the loop refuses it (taps is closing), its carried bytes are released. */
    private void submitSend(PendingSend send) {
        try {
            runOnLoop(send);
        } catch (RuntimeException refused) {
            send.releaseCarried();
            throw refused;
        }
    }

    @Override
    public void sendWithEvents(Message message) {
        Objects.requireNonNull(message, "message");
        // A borrowed Message is read here, in its handler, into bytes the Send owns.
        io.netty.buffer.ByteBuf carried = carriedBytes(message);
        // The pool is the event loop's; a Send from another thread is made here, pooled once it ends.
        submitSend(loop.inEventLoop() ? pooledSend(message, carried)
                : new PendingSend(this, message, carried, message.context(), message.endOfMessage(), true));
    }

    @Override
    public CompletionStage<Message> receive() {
        return receive(ReceiveRequest.UNSPECIFIED, Integer.MAX_VALUE);
    }

    @Override
    public CompletionStage<Message> receive(int minIncompleteLength, int maxLength) {
        ReceiveRequest.checkLimits(minIncompleteLength, maxLength);
        ReceiveRequest request = new ReceiveRequest(this, minIncompleteLength, maxLength, false);
        runOnLoop(request);
        return request;
    }

    @Override
    public void receiveWithEvents(int minIncompleteLength, int maxLength) {
        receiveWithEvents(minIncompleteLength, maxLength, false);
    }

    @Override
    public void receiveBorrowedWithEvents(int minIncompleteLength, int maxLength) {
        receiveWithEvents(minIncompleteLength, maxLength, true);
    }

    private void receiveWithEvents(int minIncompleteLength, int maxLength, boolean borrows) {
        ReceiveRequest.checkLimits(minIncompleteLength, maxLength);
        // The pool is the event loop's; a Receive from another thread is made here, pooled once it ends.
        runOnLoop(loop.inEventLoop() ? pooledRequest(minIncompleteLength, maxLength, borrows)
                : new ReceiveRequest(this, minIncompleteLength, maxLength, true, borrows));
    }

    @Override
    public void close() {
        runOnLoop(() -> {
            endAllBatches();
            startClose();
        });
    }

    @Override
    public void startBatch() {
        runOnLoop(this::openBatch);
    }

    @Override
    public void endBatch() {
        runOnLoop(this::closeBatch);
    }

    @Override
    public void addRemote(RemoteEndpoint... added) {
        endpoints().addRemotes(added);
    }

    @Override
    public void removeRemote(RemoteEndpoint... removed) {
        if (endpoints().removeRemotes(removed)) {
            abort(); // a single-path flow cannot move off its endpoint (RFC 9622 §7.5)
        }
    }

    @Override
    public void addLocal(LocalEndpoint... added) {
        endpoints().addLocals(added);
    }

    @Override
    public void removeLocal(LocalEndpoint... removed) {
        if (endpoints().removeLocals(removed)) {
            abort();
        }
    }

    @Override
    public List<RemoteEndpoint> remoteEndpoints() {
        KnownEndpoints known = endpointsIfMade();
        return known != null ? known.remotes() : KnownEndpoints.impliedRemotes(link);
    }

    @Override
    public List<LocalEndpoint> localEndpoints() {
        KnownEndpoints known = endpointsIfMade();
        return known != null ? known.locals() : KnownEndpoints.impliedLocals(link);
    }

    @Override
    public void abort() {
        runOnLoop(this::abortOnLoop);
    }

    @Override
    public ConnectionProperties getProperties() {
        return PropertyActions.snapshot(this);
    }

    @Override
    public void setProperty(String name, Object value) {
        PropertyActions.set(this, Property.byName(name), value);
    }

    @Override
    public <T> void setProperty(Property<T> property, T value) {
        PropertyActions.set(this, property, value);
    }

    /** Stores a Connection Property value and applies it to the link; the group calls it for entangled ones. */
    @Override
    public void storeProperty(Property<?> property, Object value) {
        PropertyActions.store(this, property, value);
    }

    @Override
    public Optional<String> protocolStack() {
        StackCapabilities chosen = stack;
        return chosen == null ? Optional.empty() : Optional.of(chosen.name());
    }

    @Override
    public Optional<RemoteEndpoint> remoteEndpoint() {
        return KnownEndpoints.remoteOf(link);
    }

    @Override
    public Optional<LocalEndpoint> localEndpoint() {
        return KnownEndpoints.localOf(link);
    }

    @Override
    public Optional<String> negotiatedApplicationProtocol() {
        Link current = link;
        return current == null ? Optional.empty() : current.applicationProtocol();
    }

    @Override
    public Optional<io.taps.security.SecurityOutcome> securityOutcome() {
        Link current = link;
        return current == null ? Optional.empty() : current.securityOutcome();
    }

    /**
     * A smoothed RTT the transport reported for this Connection, read by its establishment or its
     * lifetime sampling: the transfer report gives it after Closed, so closing needs no read of
     * its own. On the event loop.
     */
    public void rttMeasured(java.time.Duration rtt) {
        keepRtt(rtt);
    }

    @Override
    public TransferReport transferReport() {
        return countedReport(link, state() != ConnectionState.CLOSED);
    }

    @Override
    public String toString() {
        return "Connection[" + state() + ", " + protocolStack().orElse("establishing") + ", "
                + remoteEndpoint().map(Object::toString).orElse("-") + "]";
    }

    // ---------------------------------------------------------------- groups and Clone

    /**
     * Makes this Connection cloneable (RFC 9622 §7.4): the establisher that adopted the winner
     * hands over how its stack makes more Connections of the group, and the framer factories the
     * clones get new instances of. Without it, Clone fails with NotCloneable.
     */
    public void cloneable(CloneSupport support, List<FramerFactory> framers) {
        synchronized (this) {
            extras().framerFactories = List.copyOf(framers);
            extras.cloneSupport = support;
            TapsConnectionGroup made = extras.group;
            if (made != null) {
                made.cloneSupport(support);
            }
        }
    }

    /**
     * Hands this Connection to the engine tracking it: the owner's observer sees its messages and
     * errors, and the owner tracks its clones as they join (see TapsConnectionGroup.trackWith).
     */
    public void ownedBy(ConnectionOwner newOwner) {
        synchronized (this) {
            owner = newOwner;
            TapsConnectionGroup made = groupIfMade();
            if (made != null) {
                made.trackWith(newOwner.cloneTracker());
            }
        }
    }

    /**
     * Orders Connections by when they were made in this JVM, oldest first: by the difference of
     * their creation numbers, so the order survives the counter's wrap (serial number arithmetic,
     * as RFC 1982 compares sequence numbers).
     */
    public static int compareCreation(TapsConnection first, TapsConnection second) {
        return compareSerial(first.creationOrder, second.creationOrder);
    }

    static int compareSerial(int first, int second) {
        return Integer.signum(first - second);
    }

    /** The group if one was made, else null (a Connection alone that nobody asked about). */
    public TapsConnectionGroup groupIfMade() {
        ConnectionExtras made = extras;
        return made == null ? null : made.group;
    }

    @Override
    public Map<Property<?>, Object> connectionValues() {
        return store.values();
    }

    @Override
    public TapsConnectionGroup connectionGroup() {
        TapsConnectionGroup current = groupIfMade();
        if (current == null) {
            synchronized (this) {
                ConnectionExtras made = extras();
                current = made.group;
                if (current == null) {
                    current = new TapsConnectionGroup(this);
                    if (made.cloneSupport != null) {
                        current.cloneSupport(made.cloneSupport);
                    }
                    if (owner != null) {
                        current.trackWith(owner.cloneTracker());
                    }
                    if (state() == ConnectionState.CLOSED) {
                        current.memberEnded(this);
                    }
                    made.group = current;
                }
            }
        }
        return current;
    }

    @Override
    public ConnectionGroup group() {
        return connectionGroup();
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
        CloneCoordinator.checkOverrides(store.transportProperties(), overridden);
        TapsConnection clone = new TapsConnection(loop, eventExecutor(), store.transportProperties(), Role.INITIATE,
                handler);
        Map<Property<?>, Object> entangledOverrides = PropertyStore.ownOf(clone).cloneOf(store, overridden);
        CloneCoordinator.start(this, clone, framer, entangledOverrides,
                CompletableFuture.anyOf(readyFuture(), closedFuture()));
        return clone;
    }

    /**
     * Moves this Connection into {@code target} (RFC 9622 §7.4): a clone, or a passive member such
     * as a new stream a peer opened on a multistream connection. It takes the group's entangled
     * property values. Returns the refusal when the group is full ({@code groupConnLimit}, CP-09),
     * else null.
     */
    @Override
    public TransportServicesException joinGroup(TapsConnectionGroup target) {
        TransportServicesException refused = target.admit(this);
        if (refused == null) {
            synchronized (this) {
                extras().group = target;
            }
        }
        return refused;
    }

    @Override
    public void raiseCloneError(TransportServicesException error) {
        runOnLoop(() -> emit(() -> handler.cloneError(this, error)));
    }

    @Override
    public boolean accepted() {
        return store.role() == Role.LISTEN;
    }

    @Override
    public List<FramerFactory> framerFactories() {
        ConnectionExtras made = extras;
        return made == null ? List.of() : made.framerFactories;
    }

    @Override
    public void framerFactories(List<FramerFactory> framers) {
        extras().framerFactories = framers;
    }

    // ---------------------------------------------------------------- streams (internal.flow)

    @Override
    public Flow.Publisher<Message> messages() {
        return receivePublisher();
    }

    private ReceivePublisher receivePublisher() {
        ConnectionExtras made = extras;
        ReceivePublisher publisher = made == null ? null : made.messages;
        if (publisher == null) {
            synchronized (this) {
                made = extras();
                publisher = made.messages;
                if (publisher == null) {
                    publisher = new ReceivePublisher(this);
                    made.messages = publisher;
                }
            }
        }
        return publisher;
    }

    @Override
    public CompletionStage<Long> sendAll(Flow.Publisher<? extends Message> source, long windowBytes) {
        Limit queueLimit = (Limit) store.get(Property.SEND_QUEUE_LIMIT);
        // Half the queue limit: the queue then holds at most the window plus one Message below it.
        long window = queueLimit.isUnlimited() ? windowBytes : Math.min(windowBytes, queueLimit.value() / 2);
        return new PublisherSender(this, loop, window).sendAll(source);
    }

    @Override
    public CompletionStage<Long> sendFrom(ReadableByteChannel source) {
        return sendAll(new ChunkPublisher(source));
    }

    @Override
    public CompletionStage<Message> receiveAll(int maxBytes) {
        return StreamReader.collect(receivePublisher(), maxBytes);
    }

    @Override
    public CompletionStage<Long> receiveTo(WritableByteChannel target) {
        return StreamReader.writeTo(receivePublisher(), target);
    }

    @Override
    public void runOnLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
