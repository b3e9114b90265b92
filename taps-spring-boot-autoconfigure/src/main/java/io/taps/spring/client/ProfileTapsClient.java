package io.taps.spring.client;

import io.taps.Connection;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.spring.client.TapsClientConnections.ClientIdentity;
import io.taps.spring.convert.TapsMessageConverters;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;

/**
 * The {@link TapsClient} of one {@code taps.clients.<name>} entry: establishes its Connection on
 * first use, hands calls to its channels (one per Connection: the Connection itself, plus clones
 * on a multiplexed group), queues calls while no Connection is Ready, and establishes a new
 * Connection with exponential back-off after the last one was lost.
 */
final class ProfileTapsClient implements TapsClient, ClientChannel.Owner {
    private static final Log logger = LogFactory.getLog(ProfileTapsClient.class);

    private final ClientIdentity identity;

    private final Supplier<Preconnection> preconnections;

    private final TapsMessageConverters converters;

    private final @Nullable MimeType contentType;

    private final TapsClientOptions options;

    private final ScheduledExecutorService timer;

    private final @Nullable TapsClientConnections connections;

    private final Supplier<TapsClientStatus.Remote> remote;

    private final AtomicInteger pending = new AtomicInteger();

    private final Object lock = new Object();

    // Guarded by lock.
    private final List<ClientChannel> channels = new ArrayList<>();

    private final ArrayDeque<ClientCall> waiting = new ArrayDeque<>();

    private @Nullable ClientChannel primary;

    private boolean establishing;

    private int cloning;

    private Duration nextBackoff;

    private @Nullable Throwable lastFailure;

    private boolean closed;

    private boolean everConnected;

    private long reconnects;

    private TapsClientStatus.@Nullable LastError lastError;

    /**
     * @param remote the Remote Endpoint for operators, asked at each status
     */
    ProfileTapsClient(ClientIdentity identity, Supplier<Preconnection> preconnections, TapsMessageConverters converters,
            @Nullable MimeType contentType, TapsClientOptions options, ScheduledExecutorService timer,
            @Nullable TapsClientConnections connections, Supplier<TapsClientStatus.Remote> remote) {
        this.identity = identity;
        this.preconnections = preconnections;
        this.converters = converters;
        this.contentType = contentType;
        this.options = options;
        this.timer = timer;
        this.connections = connections;
        this.remote = remote;
        this.nextBackoff = options.initialBackoff();
    }

    @Override
    public String name() {
        return this.identity.client();
    }

    @Override
    public String clientName() {
        return this.identity.client();
    }

    @Override
    public String profile() {
        return this.identity.profile();
    }

    @Override
    public CompletionStage<Void> send(Object payload) {
        return call(payload, null, this.options.requestTimeout()).thenApply(ignored -> null);
    }

    @Override
    public <T> CompletionStage<T> request(Object payload, Class<T> replyType) {
        return request(payload, replyType, this.options.requestTimeout());
    }

    @Override
    public <T> CompletionStage<T> request(Object payload, Class<T> replyType, Duration timeout) {
        Objects.requireNonNull(replyType, "replyType");
        return request(payload, ResolvableType.forClass(replyType), timeout);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> request(Object payload, ResolvableType replyType, Duration timeout) {
        Objects.requireNonNull(replyType, "replyType");
        Function<Message, @Nullable Object> reader = reply -> this.converters.read(reply, replyType, this.contentType);
        return call(payload, reader, timeout).thenApply(reply -> (T) reply);
    }

    private CompletableFuture<@Nullable Object> call(Object payload,
            @Nullable Function<Message, @Nullable Object> replyReader, Duration timeout) {
        Objects.requireNonNull(payload, "payload");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (isClosed()) {
            return CompletableFuture.failedFuture(closedException());
        }
        if (this.pending.incrementAndGet() > this.options.maxPending()) {
            this.pending.decrementAndGet();
            return CompletableFuture.failedFuture(new TapsClientException(name(), this.options.maxPending()
                    + " calls are pending already (taps.clients." + name() + ".pool.max-pending)", null));
        }
        Message message;
        try {
            message = this.converters.write(payload, this.contentType);
        }
        catch (RuntimeException ex) {
            this.pending.decrementAndGet();
            return CompletableFuture.failedFuture(ex);
        }
        ClientCall call = new ClientCall(message, replyReader, timeout);
        call.result.whenComplete((value, failure) -> {
            this.pending.decrementAndGet();
            ScheduledFuture<?> scheduled = call.timer;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        });
        call.timer = this.timer.schedule(() -> timedOut(call), timeout.toNanos(), TimeUnit.NANOSECONDS);
        dispatch(call);
        return call.result;
    }

    private void dispatch(ClientCall call) {
        while (!call.result.isDone()) {
            ClientChannel target;
            ClientChannel cloneFrom = null;
            synchronized (this.lock) {
                if (this.closed) {
                    call.fail(closedException());
                    return;
                }
                target = leastLoaded();
                if (target == null) {
                    this.waiting.add(call);
                    establishIfIdle();
                    return;
                }
                if (target.load() > 0 && mayClone()) {
                    this.cloning++;
                    cloneFrom = this.primary;
                }
            }
            if (cloneFrom != null) {
                startClone(cloneFrom);
            }
            if (target.submit(call)) {
                return;
            }
            // The channel was lost between choosing and sending; channelLost removed it: choose again.
        }
    }

    private @Nullable ClientChannel leastLoaded() {
        ClientChannel best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (ClientChannel channel : this.channels) {
            int load = channel.load();
            if (load < bestLoad) {
                best = channel;
                bestLoad = load;
            }
        }
        return best;
    }

    private boolean mayClone() {
        ClientChannel from = this.primary;
        return from != null && this.channels.size() + this.cloning < this.options.maxConnections()
                && from.connection().group().multiplexed();
    }

    /** Under lock: starts establishing unless a Connection is Ready or being established. */
    private void establishIfIdle() {
        if (!this.establishing && this.channels.isEmpty()) {
            this.establishing = true;
            this.timer.execute(this::establish);
        }
    }

    private void establish() {
        synchronized (this.lock) {
            if (this.closed) {
                this.establishing = false;
                return;
            }
        }
        Connection connection;
        try {
            Preconnection preconnection = this.preconnections.get();
            connection = this.connections != null
                    ? this.connections.initiating(this.identity, preconnection::initiate) : preconnection.initiate();
        }
        catch (RuntimeException ex) {
            establishmentFailed(ex);
            return;
        }
        connection.ready().whenComplete((ready, failure) -> {
            if (failure != null) {
                establishmentFailed(failure);
            }
            else {
                established(connection);
            }
        });
    }

    private void established(Connection connection) {
        ClientChannel channel = new ClientChannel(connection, this);
        List<ClientCall> queued;
        synchronized (this.lock) {
            this.establishing = false;
            if (this.closed) {
                connection.close();
                return;
            }
            this.primary = channel;
            this.channels.add(channel);
            this.everConnected = true;
            this.lastFailure = null;
            this.nextBackoff = this.options.initialBackoff();
            queued = new ArrayList<>(this.waiting);
            this.waiting.clear();
        }
        if (logger.isDebugEnabled()) {
            logger.debug("taps client '" + name() + "' (profile " + profile() + ") connected to "
                    + connection.remoteEndpoint().map(Object::toString).orElse("?") + " over "
                    + connection.protocolStack().orElse("?"));
        }
        channel.start();
        queued.forEach(this::dispatch);
    }

    private void establishmentFailed(Throwable failure) {
        synchronized (this.lock) {
            this.lastFailure = failure;
            this.lastError = lastErrorOf(failure);
            if (this.closed) {
                this.establishing = false;
                return;
            }
            logger.info("taps client '" + name() + "' (profile " + profile() + ") could not establish a Connection: "
                    + failure.getMessage() + "; next attempt in " + this.nextBackoff);
            scheduleEstablishment();
        }
    }

    /** Under lock: the next attempt after the current back-off, which then grows. */
    private void scheduleEstablishment() {
        this.establishing = true;
        this.reconnects++;
        Duration delay = this.nextBackoff;
        double grown = delay.toNanos() * this.options.multiplier();
        long maxNanos = this.options.maxBackoff().toNanos();
        this.nextBackoff = Duration.ofNanos(grown >= maxNanos ? maxNanos : (long) grown);
        this.timer.schedule(this::establish, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void startClone(ClientChannel from) {
        Connection clone;
        try {
            // The core reports a clone's establishment within Clone, as it does an Initiate's.
            clone = this.connections != null ? this.connections.initiating(this.identity, from.connection()::clone)
                    : from.connection().clone();
        }
        catch (RuntimeException ex) {
            synchronized (this.lock) {
                this.cloning--;
            }
            logger.debug("taps client '" + name() + "': Clone failed", ex);
            return;
        }
        clone.ready().whenComplete((ready, failure) -> {
            ClientChannel channel = new ClientChannel(clone, this);
            List<ClientCall> queued;
            synchronized (this.lock) {
                this.cloning--;
                if (failure != null || this.closed) {
                    if (failure == null) {
                        clone.close();
                    }
                    return;
                }
                this.channels.add(channel);
                queued = new ArrayList<>(this.waiting);
                this.waiting.clear();
            }
            channel.start();
            queued.forEach(this::dispatch);
        });
    }

    @Override
    public void channelLost(ClientChannel channel, @Nullable Throwable error) {
        synchronized (this.lock) {
            if (!this.channels.remove(channel)) {
                return;
            }
            if (error != null) {
                this.lastError = lastErrorOf(error);
            }
            if (this.primary == channel) {
                this.primary = this.channels.isEmpty() ? null : this.channels.get(0);
            }
            if (this.channels.isEmpty() && !this.establishing && !this.closed) {
                // Reconnect now rather than at the next call, so the next call finds a Connection.
                scheduleEstablishment();
            }
        }
    }

    private void timedOut(ClientCall call) {
        if (call.result.isDone()) {
            return;
        }
        boolean wasWaiting;
        Throwable failure;
        synchronized (this.lock) {
            wasWaiting = this.waiting.remove(call);
            failure = this.lastFailure;
        }
        ClientChannel channel = call.channel;
        if (wasWaiting || channel == null) {
            call.fail(new TapsRequestTimeoutException(name(), "no Connection became Ready within " + call.timeout
                    + (failure != null ? " (last attempt: " + failure.getMessage() + ")" : ""), call.timeout, false,
                    failure));
            return;
        }
        if (call.expectsReply()) {
            call.fail(new TapsRequestTimeoutException(name(), "no reply within " + call.timeout, call.timeout, true,
                    null));
            // A reply may be merely late; only one that never comes breaks the order of replies.
            Duration grace = call.timeout.compareTo(this.options.requestTimeout()) > 0 ? call.timeout
                    : this.options.requestTimeout();
            this.timer.schedule(() -> channel.checkLateReply(call, grace), grace.toNanos(), TimeUnit.NANOSECONDS);
        }
        else {
            call.fail(new TapsRequestTimeoutException(name(), "the Message was not Sent within " + call.timeout,
                    call.timeout, true, null));
        }
    }

    private boolean isClosed() {
        synchronized (this.lock) {
            return this.closed;
        }
    }

    private TapsClientConnectionException closedException() {
        return new TapsClientConnectionException(name(), "the client is closed", null);
    }

    /**
     * Takes no new calls, fails those still waiting for a Connection, and closes each Connection
     * once the replies it awaits have come; completes when every Connection is Closed.
     */
    CompletionStage<Void> closeGracefully() {
        List<ClientCall> queued;
        List<ClientChannel> open;
        synchronized (this.lock) {
            this.closed = true;
            queued = new ArrayList<>(this.waiting);
            this.waiting.clear();
            open = new ArrayList<>(this.channels);
        }
        queued.forEach(call -> call.fail(closedException()));
        CompletableFuture<?>[] closing = open.stream()
            .map(channel -> channel.closeGracefully().toCompletableFuture().exceptionally(failure -> null))
            .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(closing);
    }

    /**
     * Takes calls again after {@link #closeGracefully()}: a context that is stopped and started
     * again (Spring's test context cache does so) keeps its clients, which connect on next use.
     */
    void reopen() {
        synchronized (this.lock) {
            this.closed = false;
        }
    }

    /** Aborts every Connection: what {@link #closeGracefully()} did not finish in time. */
    void abort() {
        List<ClientChannel> open;
        synchronized (this.lock) {
            this.closed = true;
            open = new ArrayList<>(this.channels);
        }
        open.forEach(channel -> channel.abort("the client was aborted", null));
    }

    /** What the client is doing now. */
    TapsClientStatus status() {
        TapsClientStatus.Remote remoteNow = this.remote.get();
        synchronized (this.lock) {
            TapsClientStatus.State state;
            if (this.closed) {
                state = TapsClientStatus.State.CLOSED;
            }
            else if (!this.channels.isEmpty()) {
                state = TapsClientStatus.State.CONNECTED;
            }
            else if (this.establishing) {
                state = this.everConnected || this.reconnects > 0 ? TapsClientStatus.State.RECONNECTING
                        : TapsClientStatus.State.CONNECTING;
            }
            else {
                state = TapsClientStatus.State.IDLE;
            }
            return new TapsClientStatus(name(), profile(), remoteNow.host(), remoteNow.endpoint(), state,
                    this.pending.get(), this.channels.size(), this.reconnects, this.lastError);
        }
    }

    private static TapsClientStatus.LastError lastErrorOf(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return new TapsClientStatus.LastError(cause.getClass().getName(), String.valueOf(cause.getMessage()),
                java.time.Instant.now());
    }

    /** The Connections the client holds now. */
    List<Connection> connections() {
        synchronized (this.lock) {
            return this.channels.stream().map(ClientChannel::connection).toList();
        }
    }

    @Override
    public String toString() {
        return "TapsClient[" + name() + ", profile " + profile() + "]";
    }
}
