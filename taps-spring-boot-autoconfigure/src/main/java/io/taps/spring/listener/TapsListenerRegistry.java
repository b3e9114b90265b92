package io.taps.spring.listener;

import io.taps.Listener;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.spring.boot.autoconfigure.TapsProfile;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.boot.autoconfigure.TapsProperties;
import io.taps.spring.convert.TapsMessageConverters;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationContextException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MutablePropertySources;

/**
 * Runs the registered {@link TapsListener} endpoints as taps Listeners (RFC 9622 §7.2) and is the
 * place to list them ({@link #listeners()}). A {@link SmartLifecycle} in phase
 * {@link #DEFAULT_PHASE} (the web servers' graceful-shutdown phase): it binds every auto-startup
 * endpoint when the context starts, writes each bound port to the Environment as
 * {@code local.taps.<id>.port} (and {@code local.taps.port} when there is a single endpoint) in
 * the {@code local.taps.ports} property source, and publishes a {@link TapsListenerStartedEvent}.
 *
 * <p>Stopping is graceful and asynchronous ({@link #stop(Runnable)}): every Listener stops
 * accepting, every Connection finishes the Message it is handling and sends its reply, then is
 * closed; the callback runs when all are Closed. Spring's lifecycle processor waits for it at most
 * {@code spring.lifecycle.timeout-per-shutdown-phase}; whatever is still open when the context is
 * destroyed is aborted.
 */
public class TapsListenerRegistry implements SmartLifecycle, ApplicationContextAware, DisposableBean {
    /** Stops before the default phase, like the web servers' graceful shutdown. */
    public static final int DEFAULT_PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private static final Log logger = LogFactory.getLog(TapsListenerRegistry.class);
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private final TapsProfiles profiles;
    private final Executor executor;
    private final TapsListenerErrorHandler errorHandler;
    private final List<TapsListenerObserver> observers;
    private final Map<String, TapsListenerEndpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, List<HandlerMethod>> receivedCallbacks = new ConcurrentHashMap<>();
    private final Map<String, List<HandlerMethod>> closedCallbacks = new ConcurrentHashMap<>();
    private final Map<String, RunningTapsListener> running = new ConcurrentHashMap<>();
    private final Map<String, ListenerBinding> bindings = new ConcurrentHashMap<>();
    private final ListenerBinder binder;
    private Map<String, TapsProperties.ListenerSettings> listenerSettings = Map.of();
    private Map<String, String> listenerSettingIds = Map.of();
    private volatile @Nullable Integer portOverride;
    private @Nullable ApplicationContext applicationContext;
    private volatile boolean started;
    private final Object awaitMonitor = new Object();
    private @Nullable Thread awaitThread;

    public TapsListenerRegistry(TapsProfiles profiles, Executor executor, TapsListenerErrorHandler errorHandler,
            List<TapsListenerObserver> observers) {
        this.profiles = profiles;
        this.executor = executor;
        this.errorHandler = errorHandler;
        this.observers = List.copyOf(observers);
        this.binder = new ListenerBinder(profiles, errorHandler);
    }

    /**
     * The converters of payloads and replies (the context's {@code TapsMessageConverters}); by
     * default only {@code byte[]}, {@code ByteBuffer} and UTF-8 {@code String}.
     */
    public void setMessageConverters(TapsMessageConverters messageConverters) {
        this.binder.setMessageConverters(messageConverters);
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
        this.binder.setApplicationContext(applicationContext);
    }

    /**
     * The port every listener binds instead of its own ({@code taps.listener.port-override}); 0
     * binds each to an ephemeral port, {@code null} (the default) keeps their own.
     */
    public void setPortOverride(@Nullable Integer portOverride) {
        this.portOverride = portOverride;
    }

    /**
     * Settings by listener id ({@code taps.listeners.<id>.*}) that replace the annotation's values
     * of the endpoints registered afterwards; an id no endpoint has fails {@link #start()}.
     */
    public void setListenerSettings(Map<String, TapsProperties.ListenerSettings> listenerSettings) {
        // Ids compare as Boot compares keys (case, '-' and '_' ignored): TAPS_LISTENERS_CHAT_SERVER_PORT
        // reaches the listener chat-server.
        Map<String, TapsProperties.ListenerSettings> byUniformId = new LinkedHashMap<>();
        Map<String, String> spelled = new LinkedHashMap<>();
        listenerSettings.forEach((id, settings) -> {
            String previous = spelled.putIfAbsent(uniformId(id), id);
            if (previous != null) {
                throw new IllegalStateException("taps.listeners." + id + " and taps.listeners." + previous
                        + " name the same listener; spell the id one way");
            }
            byUniformId.put(uniformId(id), settings);
        });
        this.listenerSettings = Map.copyOf(byUniformId);
        this.listenerSettingIds = Map.copyOf(spelled);
    }

    private boolean isKnownProfile(String profile) {
        try {
            this.profiles.get(profile);
            return true;
        }
        catch (TransportServicesException ex) {
            return false;
        }
    }

    private static String uniformId(String id) {
        StringBuilder out = new StringBuilder(id.length());
        for (char c : id.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString();
    }

    /**
     * Registers an endpoint; after the registry started, an auto-startup endpoint starts at once.
     *
     * @throws IllegalStateException when the id is taken
     */
    public void register(TapsListenerEndpoint annotated) {
        TapsProperties.ListenerSettings settings = this.listenerSettings.get(uniformId(annotated.id()));
        TapsListenerEndpoint endpoint = settings == null ? annotated : annotated.with(settings);
        if (!isKnownProfile(endpoint.profile())) {
            throw new IllegalStateException("@TapsListener(id = \"" + endpoint.id() + "\") on " + endpoint.method()
                    + " names the unknown taps profile '" + endpoint.profile() + "'; known profiles: "
                    + this.profiles.names());
        }
        ListenerBinding binding = this.binder.bind(endpoint, this.bindings.get(endpoint.id()));
        synchronized (this.endpoints) {
            if (this.endpoints.putIfAbsent(endpoint.id(), endpoint) != null) {
                throw new IllegalStateException("two @TapsListener endpoints have the id '" + endpoint.id() + "': "
                        + this.endpoints.get(endpoint.id()).method() + " and " + endpoint.method());
            }
            this.bindings.put(endpoint.id(), binding);
        }
        if (this.started && endpoint.autoStartup()) {
            start(endpoint);
        }
    }

    void registerConnectionReceived(String id, HandlerMethod callback) {
        callbacks(this.receivedCallbacks, id).add(callback);
    }

    void registerConnectionClosed(String id, HandlerMethod callback) {
        callbacks(this.closedCallbacks, id).add(callback);
    }

    /**
     * The live callback list of listener {@code id}: a running listener holds this same list, so
     * callbacks of beans created after it started (lazy ones) apply too. Copy-on-write, because
     * handler threads iterate it while such a bean may add to it.
     */
    private static List<HandlerMethod> callbacks(Map<String, List<HandlerMethod>> byId, String id) {
        return byId.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>());
    }

    /** Every registered endpoint, started or not, in registration order. */
    public Collection<TapsListenerEndpoint> endpoints() {
        synchronized (this.endpoints) {
            return List.copyOf(this.endpoints.values());
        }
    }

    /** The running listeners with their id, profile, bound addresses and open Connections. */
    public List<RunningTapsListener> listeners() {
        List<RunningTapsListener> list = new ArrayList<>();
        for (TapsListenerEndpoint endpoint : endpoints()) {
            RunningTapsListener listener = this.running.get(endpoint.id());
            if (listener != null) {
                list.add(listener);
            }
        }
        return list;
    }

    /**
     * The handler figures of listener {@code id}, kept from its registration on (across restarts),
     * whether it runs or not; empty for an unknown id.
     */
    public Optional<ListenerHandlerFigures> handlerFigures(String id) {
        return Optional.ofNullable(this.bindings.get(id)).map(ListenerBinding::figures);
    }

    /** The running listener with {@code id}, if started. */
    public Optional<RunningTapsListener> listener(String id) {
        return Optional.ofNullable(this.running.get(id));
    }

    @Override
    public void start() {
        checkReferencedIds();
        for (TapsListenerEndpoint endpoint : endpoints()) {
            if (endpoint.autoStartup()) {
                start(endpoint);
            }
        }
        this.started = true;
    }

    /**
     * taps' event-loop and handler threads are daemons, so an application whose only work is its
     * listeners (no web server) would end as soon as {@code main} returns. Like the await thread
     * of Boot's Netty servers, one non-daemon thread keeps the JVM alive from start until the
     * listeners have drained.
     */
    private void startAwaitThread() {
        synchronized (this.awaitMonitor) {
            if (this.awaitThread != null) {
                return;
            }
            Thread thread = new Thread(() -> {
                synchronized (this.awaitMonitor) {
                    while (this.awaitThread == Thread.currentThread()) {
                        try {
                            this.awaitMonitor.wait();
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }, "taps-listener-await");
            thread.setDaemon(false);
            thread.setContextClassLoader(getClass().getClassLoader());
            this.awaitThread = thread;
            thread.start();
        }
    }

    private void stopAwaitThread() {
        synchronized (this.awaitMonitor) {
            this.awaitThread = null;
            this.awaitMonitor.notifyAll();
        }
    }

    /** Whether the non-daemon thread that keeps the JVM alive while listeners run is alive. */
    boolean keepsJvmAlive() {
        synchronized (this.awaitMonitor) {
            return this.awaitThread != null && this.awaitThread.isAlive();
        }
    }

    private void checkReferencedIds() {
        List<String> unknown = new ArrayList<>();
        for (String id : this.receivedCallbacks.keySet()) {
            if (!this.endpoints.containsKey(id)) {
                unknown.add(id);
            }
        }
        for (String id : this.closedCallbacks.keySet()) {
            if (!this.endpoints.containsKey(id)) {
                unknown.add(id);
            }
        }
        Set<String> endpointIds = new HashSet<>();
        this.endpoints.keySet().forEach(id -> endpointIds.add(uniformId(id)));
        for (Map.Entry<String, String> id : this.listenerSettingIds.entrySet()) {
            if (!endpointIds.contains(id.getKey())) {
                throw new IllegalStateException("taps.listeners." + id.getValue() + " names no @TapsListener; known ids: "
                        + this.endpoints.keySet());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("@TapsConnectionReceived/@TapsConnectionClosed name unknown listener ids "
                    + unknown + "; known ids: " + this.endpoints.keySet());
        }
    }

    /** Starts the listener {@code id} (for endpoints with auto-startup off). */
    public RunningTapsListener start(String id) {
        TapsListenerEndpoint endpoint;
        synchronized (this.endpoints) {
            endpoint = this.endpoints.get(id);
        }
        if (endpoint == null) {
            throw new IllegalArgumentException("no taps listener '" + id + "'; known ids: " + this.endpoints.keySet());
        }
        return start(endpoint);
    }

    /**
     * Stops the listener {@code id} gracefully, as the context's shutdown does: it accepts no more
     * Connections, each Connection finishes the Message in hand and is closed; the stage completes
     * when all are Closed. {@link #start(String)} starts it again. Completes at once when it is not
     * running.
     */
    public java.util.concurrent.CompletionStage<Void> stop(String id) {
        RunningTapsListener listener = this.running.get(id);
        java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();
        if (listener == null) {
            stopped.complete(null);
            return stopped;
        }
        listener.stopGracefully(() -> {
            this.running.remove(id, listener);
            stopped.complete(null);
        });
        return stopped;
    }

    private synchronized RunningTapsListener start(TapsListenerEndpoint endpoint) {
        RunningTapsListener existing = this.running.get(endpoint.id());
        if (existing != null) {
            if (!existing.stopping()) {
                return existing;
            }
            // A graceful stop that did not finish within its phase: its Listener accepts nothing
            // any more, so cut off what it still holds (as destroy() would) and listen anew.
            existing.abort();
            this.running.remove(endpoint.id(), existing);
        }
        TapsProfile profile = this.profiles.get(endpoint.profile());
        Integer override = this.portOverride;
        LocalEndpoint local = profile.localEndpoint(endpoint.host(), override != null ? override : endpoint.port())
            .filter(LocalEndpoint::hasPort)
            .orElseThrow(() -> new IllegalStateException("taps listener '" + endpoint.id() + "' has no port: set port "
                    + "on @TapsListener or taps.profiles." + endpoint.profile() + ".local.port (0 for an ephemeral port)"));
        Preconnection listening = this.profiles.preconnection(endpoint.profile(), local).build();
        RunningTapsListener runningListener = new RunningTapsListener(endpoint, this.executor,
                this.bindings.get(endpoint.id()),
                this.observers, callbacks(this.receivedCallbacks, endpoint.id()),
                callbacks(this.closedCallbacks, endpoint.id()));
        Listener listener;
        try {
            listener = listening.listen(runningListener.eventHandler());
        }
        catch (TransportServicesException ex) {
            throw bindFailure(endpoint, local, ex);
        }
        try {
            listener.ready().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            listener.close();
            throw new ApplicationContextException("interrupted while starting taps listener '" + endpoint.id() + "'", ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            listener.close();
            Throwable cause = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            throw bindFailure(endpoint, local, cause);
        }
        runningListener.started(listener);
        this.running.put(endpoint.id(), runningListener);
        startAwaitThread();
        publishPort(endpoint.id(), listener.port());
        if (logger.isInfoEnabled()) {
            logger.info("taps listener '" + endpoint.id() + "' (profile " + endpoint.profile() + ", "
                    + listener.protocolStack() + ") listening on " + listener.localAddresses());
        }
        if (this.applicationContext != null) {
            this.applicationContext.publishEvent(new TapsListenerStartedEvent(this, runningListener));
        }
        return runningListener;
    }

    private static TapsListenerBindException bindFailure(TapsListenerEndpoint endpoint, LocalEndpoint local,
            Throwable cause) {
        return new TapsListenerBindException("taps listener '" + endpoint.id() + "' could not listen on " + local
                + " with profile '" + endpoint.profile() + "': " + cause.getMessage(), endpoint.id(),
                endpoint.profile(), host(local), local.effectivePort(), cause);
    }

    private static String host(LocalEndpoint local) {
        return local.ipAddress()
            .map(InetAddress::getHostAddress)
            .or(local::hostName)
            .or(local::interfaceName)
            .orElse("*");
    }

    private void publishPort(String id, int port) {
        if (this.applicationContext == null) {
            return;
        }
        Set<String> ids = endpoints().stream().map(TapsListenerEndpoint::id).collect(Collectors.toSet());
        ApplicationContext context = this.applicationContext;
        while (context != null) {
            Environment environment = context.getEnvironment();
            if (environment instanceof ConfigurableEnvironment configurable) {
                portsSource(configurable.getPropertySources()).put(id, port, ids);
            }
            context = context.getParent();
        }
    }

    private static LocalTapsPortsPropertySource portsSource(MutablePropertySources sources) {
        synchronized (sources) {
            if (sources.get(LocalTapsPortsPropertySource.NAME) instanceof LocalTapsPortsPropertySource existing) {
                return existing;
            }
            LocalTapsPortsPropertySource created = new LocalTapsPortsPropertySource();
            sources.addFirst(created);
            return created;
        }
    }

    @Override
    public void stop(Runnable callback) {
        this.started = false;
        List<RunningTapsListener> listeners = new ArrayList<>(this.running.values());
        Runnable done = () -> {
            stopAwaitThread();
            callback.run();
        };
        if (listeners.isEmpty()) {
            done.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(listeners.size());
        for (RunningTapsListener listener : listeners) {
            logger.info("Commencing graceful shutdown of taps listener '" + listener.id() + "'. Waiting for "
                    + listener.activeConnections() + " active connection(s) to complete");
            listener.stopGracefully(() -> {
                this.running.remove(listener.id(), listener);
                logger.info("Graceful shutdown of taps listener '" + listener.id() + "' complete");
                if (remaining.decrementAndGet() == 0) {
                    done.run();
                }
            });
        }
    }

    @Override
    public void stop() {
        CountDownLatch done = new CountDownLatch(1);
        stop(done::countDown);
        try {
            if (!done.await(shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                abortAll();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            abortAll();
        }
    }

    private Duration shutdownTimeout() {
        if (this.applicationContext == null) {
            return Duration.ofSeconds(30);
        }
        String value = this.applicationContext.getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase");
        if (value == null) {
            return Duration.ofSeconds(30);
        }
        return org.springframework.boot.convert.DurationStyle.detectAndParse(value);
    }

    private void abortAll() {
        for (RunningTapsListener listener : this.running.values()) {
            if (listener.activeConnections() > 0) {
                logger.warn("Graceful shutdown of taps listener '" + listener.id() + "' aborted with "
                        + listener.activeConnections() + " connection(s) still open");
            }
            listener.abort();
        }
        this.running.clear();
        stopAwaitThread();
    }

    @Override
    public boolean isRunning() {
        return this.started;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    /** Aborts whatever the graceful stop did not finish in time. */
    @Override
    public void destroy() {
        this.started = false;
        abortAll();
    }
}
