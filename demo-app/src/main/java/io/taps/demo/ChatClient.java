package io.taps.demo;

import io.taps.Connection;
import io.taps.Message;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.listener.TapsListenerRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClients;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Chats through the {@link TapsClient} {@code chat} ({@code taps.clients.chat} in the YAML: the
 * profile {@code chat-client}, whose {@code remote.host} {@code taps-demo.localhost} means both ::1
 * and 127.0.0.1, and the chat listener's bound port {@code ${local.taps.chat.port}}), so racing
 * (RFC 9623 §4.3) tries ::1 first, fails there (the listener is on 127.0.0.1 only) and wins on
 * 127.0.0.1: the establishment report the web page draws as a waterfall. Every few seconds it
 * requests a typed {@link ChatReply} to a {@link ChatLine}, both JSON on the wire, and keeps the
 * last reply.
 *
 * <p>It also connects over QUIC with the profile {@code chat-quic-client} to the {@code chat-quic}
 * listener and, once Ready, Clones that Connection (RFC 9622 §7.4): on QUIC the clone is a second
 * stream of the same QUIC connection, so the page shows one multiplexed Connection Group with two
 * streams. Both streams chat too.
 *
 * <p>A {@link SmartLifecycle} one phase after the listeners: it connects once they are bound and
 * closes its Connections before they stop, so a context that is stopped and started again (as the
 * test context cache pauses and resumes contexts) chats with the listeners' new ports.
 */
@Component
public class ChatClient implements SmartLifecycle, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(ChatClient.class);

    static final String NAME = "demo-client";

    private final TapsProfiles profiles;
    private final TapsListenerRegistry listeners;
    private final TapsClient chat;
    private final TapsClients clients;
    private final boolean enabled;
    private final long periodMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "taps-demo-chat-client");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<@Nullable ChatReply> lastReply = new AtomicReference<>();
    private final AtomicReference<String> lastQuicReply = new AtomicReference<>("");
    private final List<ScheduledFuture<?>> chatting = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private volatile @Nullable Connection quicConnection;
    private volatile @Nullable Connection quicClone;

    public ChatClient(TapsProfiles profiles, TapsListenerRegistry listeners, @Qualifier("chat") TapsClient chat,
            TapsClients clients, @Value("${demo.client.enabled:true}") boolean enabled,
            @Value("${demo.client.period:3s}") java.time.Duration period) {
        this.profiles = profiles;
        this.listeners = listeners;
        this.chat = chat;
        this.clients = clients;
        this.enabled = enabled;
        this.periodMillis = period.toMillis();
    }

    @Override
    public void start() {
        running = true;
        if (enabled) {
            connect();
        }
    }

    private void connect() {
        // The client connects on its first request and reconnects with back-off after a loss.
        chatting.add(timer.scheduleWithFixedDelay(this::say, 0, periodMillis, TimeUnit.MILLISECONDS));
        connectOverQuic();
    }

    private void connectOverQuic() {
        // demo.quic.enabled=false (platforms without Netty's QUIC natives) leaves the listener off.
        if (listeners.listener("chat-quic").isEmpty()) {
            log.info("QUIC chat listener not running (demo.quic.enabled=false): no QUIC client");
            return;
        }
        int port = listeners.listener("chat-quic").orElseThrow().port();
        // The profile's remote endpoint (host only) with the listener's bound port.
        RemoteEndpoint remote = profiles.get("chat-quic-client").remoteEndpoint()
                .map(endpoint -> endpoint.toBuilder().withPort(port).build())
                .orElse(RemoteEndpoint.ofAddress("127.0.0.1", port));
        Connection quic = profiles.preconnection("chat-quic-client").remote(remote).build().initiate();
        this.quicConnection = quic;
        quic.ready().thenCompose(ready -> {
            if (quicConnection != quic) {
                throw new java.util.concurrent.CancellationException("stopped while connecting");
            }
            Connection stream = quic.clone();
            this.quicClone = stream;
            return stream.ready();
        }).whenComplete((ready, failure) -> {
            if (failure != null) {
                log.warn("chat client could not chat over QUIC on port {}: {}", port, failure.getMessage());
                return;
            }
            if (quicConnection != quic) {
                return; // stopped meanwhile
            }
            log.info("chat client connected over {} with two streams in group {}", quic.protocolStack().orElse("?"),
                    quic.group().id());
            chatting.add(timer.scheduleWithFixedDelay(this::sayOverQuic, 0, periodMillis, TimeUnit.MILLISECONDS));
        });
    }

    private void sayOverQuic() {
        for (Connection stream : new Connection[] { quicConnection, quicClone }) {
            if (stream != null) {
                stream.send("hello over QUIC #" + sent.incrementAndGet()).thenCompose(done -> stream.receive())
                        .thenAccept((Message reply) -> lastQuicReply.set(
                                new String(reply.bytes(), StandardCharsets.UTF_8)));
            }
        }
    }

    private void say() {
        chat.request(new ChatLine(NAME, "hello #" + sent.incrementAndGet()), ChatReply.class)
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        log.debug("chat request failed: {}", failure.getMessage());
                    } else {
                        lastReply.set(reply);
                    }
                });
    }

    /** The last typed reply from the chat listener, empty before the first. */
    public java.util.Optional<ChatReply> lastReply() {
        return java.util.Optional.ofNullable(lastReply.get());
    }

    /** The last reply over QUIC (either stream), empty before the first. */
    public String lastQuicReply() {
        return lastQuicReply.get();
    }

    /** The QUIC Connection and its clone (a second stream), once made; for tests. */
    public java.util.List<Connection> quicConnections() {
        java.util.List<Connection> streams = new java.util.ArrayList<>();
        for (Connection stream : new Connection[] { quicConnection, quicClone }) {
            if (stream != null) {
                streams.add(stream);
            }
        }
        return streams;
    }

    /** The chat client's Connection once it initiated, for tests. */
    public @Nullable Connection connection() {
        List<Connection> open = clients.connections("chat");
        return open.isEmpty() ? null : open.get(0);
    }

    /** Stops chatting and closes the Connections, before the listeners stop. */
    @Override
    public void stop() {
        running = false;
        chatting.forEach(task -> task.cancel(false));
        chatting.clear();
        for (Connection open : new Connection[] { quicClone, quicConnection }) {
            if (open != null) {
                open.close();
            }
        }
        quicClone = null;
        quicConnection = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Right after the listeners ({@link TapsListenerRegistry#DEFAULT_PHASE}): started after them, stopped before. */
    @Override
    public int getPhase() {
        return TapsListenerRegistry.DEFAULT_PHASE + 1;
    }

    @Override
    public void destroy() {
        stop();
        timer.shutdownNow();
    }
}
