package io.taps.path;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.monitor.NetworkPath;
import io.taps.monitor.TransportObserver;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Path-change scenarios run by {@link PathChangeTest} in a child JVM inside a network namespace
 * holding a veth pair {@code eth7}/{@code wlan7} with 10.77.0.1/24 on {@code eth7}. A TCP
 * Connection over 10.77.0.1 loses its path (the address is removed, or the link set down), gets
 * PathChange, stays open, and carries data again once the path is back (M-59). Prints
 * {@code key=value} lines.
 */
public final class PathScenarios {
    private static final String ADDRESS = "10.77.0.1";

    private PathScenarios() {
    }

    public static void main(String[] args) throws Exception {
        String loss = args[0];
        AtomicInteger observedPathChanges = new AtomicInteger();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2)
                .pathMonitorInterval(Duration.ofMillis(100)).observer(new TransportObserver() {
                    @Override
                    public void pathChange(Connection connection) {
                        observedPathChanges.incrementAndGet();
                    }
                }).build()) {
            for (NetworkPath path : taps.paths()) {
                System.out.println("type." + path.name() + "=" + path.type());
            }
            AtomicInteger serverPathChanges = new AtomicInteger();
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress(ADDRESS, 0)).build()
                    .listen(connection -> {
                        connection.setEventHandler(new ConnectionEventHandler() {
                            @Override
                            public void pathChange(Connection c) {
                                serverPathChanges.incrementAndGet();
                            }
                        });
                        echo(connection);
                    });
            await(listener.ready());
            AtomicInteger clientPathChanges = new AtomicInteger();
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress(ADDRESS, listener.port()))
                    .local(LocalEndpoint.ofAddress(ADDRESS, 0)).build().initiate(new ConnectionEventHandler() {
                        @Override
                        public void pathChange(Connection connection) {
                            clientPathChanges.incrementAndGet();
                        }
                    });
            await(client.ready());
            // A QUIC Connection over the same address: its UDP socket must know its real local address.
            AtomicInteger quicPathChanges = new AtomicInteger();
            Connection quic = quicClient(taps, quicPathChanges);
            System.out.println("quicLocal=" + quic.localEndpoint().flatMap(LocalEndpoint::ipAddress)
                    .map(java.net.InetAddress::getHostAddress).orElse("none"));
            await(client.send("one"));
            System.out.println("before=" + await(client.receive()).asString());
            Thread.sleep(300);
            System.out.println("pathChangesWhileStable=" + clientPathChanges.get());

            if ("address".equals(loss)) {
                ip("addr", "del", ADDRESS + "/24", "dev", "eth7");
            } else {
                ip("link", "set", "eth7", "down");
            }
            waitUntil(() -> clientPathChanges.get() >= 1 && serverPathChanges.get() >= 1, 5000);
            System.out.println("clientPathChangesAfterLoss=" + clientPathChanges.get());
            System.out.println("serverPathChangesAfterLoss=" + serverPathChanges.get());
            waitUntil(() -> quicPathChanges.get() >= 1, 1000);
            System.out.println("quicPathChangesAfterLoss=" + quicPathChanges.get());
            quic.abort();
            // Client and server PathChange events both reach the observer (its counter is read after them).
            waitUntil(() -> observedPathChanges.get() >= clientPathChanges.get() + serverPathChanges.get(), 2000);
            System.out.println("observedPathChangesAfterLoss=" + observedPathChanges.get());
            System.out.println("observedAtLeastHandlers="
                    + (observedPathChanges.get() >= clientPathChanges.get() + serverPathChanges.get()));
            System.out.println("pathDuringLoss=" + taps.paths().stream().filter(p -> p.name().equals("eth7"))
                    .findFirst().map(NetworkPath::toString).orElse("gone"));
            CompletionStage<?> sentDuringLoss = client.send("two");
            CompletionStage<Message> echoed = client.receive();
            Thread.sleep(500);
            System.out.println("stateDuringLoss=" + client.state());
            System.out.println("echoedDuringLoss=" + echoed.toCompletableFuture().isDone());

            int changesBeforeRestore = clientPathChanges.get();
            if ("address".equals(loss)) {
                ip("addr", "add", ADDRESS + "/24", "dev", "eth7");
            } else {
                ip("link", "set", "eth7", "up");
            }
            waitUntil(() -> clientPathChanges.get() > changesBeforeRestore, 5000);
            System.out.println("pathChangeOnRestore=" + (clientPathChanges.get() > changesBeforeRestore));
            await(sentDuringLoss);
            System.out.println("after=" + echoed.toCompletableFuture().get(20, TimeUnit.SECONDS).asString());
            await(client.send("three"));
            System.out.println("afterAgain=" + await(client.receive()).asString());
            System.out.println("stateAfterRestore=" + client.state());
            client.close();
            await(client.closed());
            listener.stop();
        }
        System.out.println("done=true");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Echoes every message; the client's FIN closes this side too, so the client's Close need not time out. */
    /** A QUIC client (multistreaming required) to a QUIC echo Listener on {@link #ADDRESS}, Ready. */
    private static Connection quicClient(TransportServices taps, AtomicInteger pathChanges) {
        io.taps.properties.TransportProperties quicOnly = io.taps.properties.TransportProperties.builder()
                .require(io.taps.properties.Property.MULTISTREAMING).build();
        io.taps.security.SecurityParameters server = io.taps.security.SecurityParameters.builder()
                .identity(io.taps.security.Identity.of(io.taps.testing.TestPki.SERVER.getKeyPair().getPrivate(),
                        io.taps.testing.TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(io.taps.security.TlsVersion.TLS_1_3).alpn("echo/1").build();
        io.taps.security.SecurityParameters client = io.taps.security.SecurityParameters.builder()
                .trustAnchors(io.taps.testing.TestPki.ROOT.getCertificate()).serverName("localhost")
                .allowedProtocols(io.taps.security.TlsVersion.TLS_1_3).alpn("echo/1").build();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress(ADDRESS, 0)).properties(quicOnly)
                .security(server).build().listen(PathScenarios::echo);
        await(listener.ready());
        Connection quic = taps.preconnection().remote(RemoteEndpoint.ofAddress(ADDRESS, listener.port()))
                .properties(quicOnly).security(client).build().initiate(new ConnectionEventHandler() {
                    @Override
                    public void pathChange(Connection connection) {
                        pathChanges.incrementAndGet();
                    }
                });
        await(quic.ready());
        return quic;
    }

    private static void echo(Connection connection) {
        connection.receive().thenAccept(message -> {
            if (message.context().isFinal()) {
                connection.close();
                return;
            }
            connection.send(message.asString());
            echo(connection);
        });
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        System.out.println("ran=" + String.join(" ", command));
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("scenario step failed: " + e, e);
        }
    }

    private static void waitUntil(BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }
}
