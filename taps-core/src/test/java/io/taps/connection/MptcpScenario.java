package io.taps.connection;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import io.taps.properties.MultipathMode;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The child-JVM side of {@link MptcpNamespaceTest}: runs inside a network namespace and prints
 * {@code key=value} lines the test asserts on.
 * <ul>
 *   <li>{@code server PORT}: an MPTCP Listener (multipath Passive) on the wildcard address, so
 *       subflows to any of the namespace's addresses can join; reads one Connection to its end and
 *       answers with the SHA-256 of what arrived.</li>
 *   <li>{@code client HOST PORT BYTES LINK}: an MPTCP client (multipath Active) that sends BYTES of
 *       seeded random data; once a second subflow joined (the MPJoinSynAckRx counter) and a fifth
 *       has been sent, it sets LINK (the first subflow's interface) down and sends the rest.</li>
 *   <li>{@code disabled}: with net.mptcp.enabled=0 in its namespace, a Require of a multipath
 *       transport fails, and multipath Active and Passive silently use TCP.</li>
 * </ul>
 */
public final class MptcpScenario {
    private static final int CHUNK = 1 << 20;

    private MptcpScenario() {
    }

    public static void main(String[] args) throws Exception {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).build()) {
            switch (args[0]) {
                case "server" -> server(taps, Integer.parseInt(args[1]));
                case "client" -> client(taps, args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), args[4]);
                case "disabled" -> disabled(taps);
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static TransportProperties multipath(MultipathMode mode) {
        return TransportProperties.builder().multipath(mode).build();
    }

    private static void server(TransportServices taps, int port) throws Exception {
        CompletableFuture<String> done = new CompletableFuture<>();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofPort(port)).build()
                .listen(connection -> {
                    System.out.println("server.stack=" + connection.protocolStack().orElse("?"));
                    connection.establishmentReport().notes().forEach(n -> System.out.println("server.note=" + n));
                    MessageDigest digest = sha256();
                    readAll(connection, digest, new long[1], done);
                });
        listener.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("listener.stack=" + listener.protocolStack());
        System.out.println("listening=" + port);
        System.out.flush();
        done.get(90, TimeUnit.SECONDS);
        listener.close();
    }

    private static void readAll(Connection connection, MessageDigest digest, long[] count,
            CompletableFuture<String> done) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            byte[] bytes = message.bytes();
            digest.update(bytes);
            count[0] += bytes.length;
            if (!message.endOfMessage()) {
                readAll(connection, digest, count, done);
                return;
            }
            String hex = HexFormat.of().formatHex(digest.digest());
            System.out.println("server.bytes=" + count[0]);
            System.out.println("server.sha256=" + hex);
            System.out.flush();
            connection.send(Message.of(hex.getBytes(StandardCharsets.US_ASCII)).withContext(MessageContext.of(
                    MessageProperties.builder().finalMessage(true).build())))
                    .whenComplete((sent, error) -> done.complete(hex));
        });
    }

    private static void client(TransportServices taps, String host, int port, long total, String link)
            throws Exception {
        Connection client = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.ACTIVE)).remote(RemoteEndpoint.ofAddress(host, port)).build()
                .initiate();
        client.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("client.stack=" + client.protocolStack().orElse("?"));
        client.establishmentReport().notes().forEach(n -> System.out.println("client.note=" + n));
        System.out.println("client.multipath=" + client.getProperties().get(Property.MULTIPATH));
        MessageDigest digest = sha256();
        Random data = new Random(42);
        Deque<CompletionStage<?>> inFlight = new ArrayDeque<>();
        long sent = 0;
        boolean linkDown = false;
        while (sent < total) {
            int size = (int) Math.min(CHUNK, total - sent);
            byte[] chunk = new byte[size];
            data.nextBytes(chunk);
            digest.update(chunk);
            sent += size;
            Message message = Message.of(chunk);
            if (sent == total) {
                message = message.withContext(MessageContext.of(MessageProperties.builder().finalMessage(true).build()));
            }
            inFlight.add(client.send(message));
            while (inFlight.size() > 8) {
                inFlight.poll().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (!linkDown && sent >= total / 5) {
                long joins = awaitJoin();
                System.out.println("client.joinsBeforeLinkDown=" + joins);
                run("ip", "link", "set", link, "down");
                System.out.println("client.linkDownAfterBytes=" + sent);
                System.out.flush();
                linkDown = true;
            }
        }
        for (CompletionStage<?> pending : inFlight) {
            pending.toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        while (true) {
            Message part = client.receive().toCompletableFuture().get(60, TimeUnit.SECONDS);
            answer.writeBytes(part.bytes());
            if (part.endOfMessage()) {
                break;
            }
        }
        System.out.println("client.bytes=" + sent);
        System.out.println("client.sha256=" + HexFormat.of().formatHex(digest.digest()));
        System.out.println("client.serverSha256=" + answer.toString(StandardCharsets.US_ASCII));
        System.out.println("client.joins=" + mptcpCounter("MPJoinSynAckRx"));
        client.close();
        client.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Waits (at most 10 s) until the kernel counted a joined subflow; returns the count. */
    private static long awaitJoin() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long joins = mptcpCounter("MPJoinSynAckRx");
        while (joins < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            joins = mptcpCounter("MPJoinSynAckRx");
        }
        return joins;
    }

    private static void disabled(TransportServices taps) throws Exception {
        System.out.println("enabled=" + Files.readString(Path.of("/proc/sys/net/mptcp/enabled")).trim());
        TransportProperties require = TransportProperties.builder().multipath(MultipathMode.ACTIVE)
                .multipathTransport(Preference.REQUIRE).build();
        try {
            Connection refused = taps.preconnection().security(SecurityParameters.disabled()).properties(require)
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", 9)).build().initiate();
            refused.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.println("require.outcome=connected");
        } catch (TransportServicesException error) {
            System.out.println("require.reason=" + error.reason().rfcName());
            System.out.println("require.message=" + error.getMessage().replace('\n', ' '));
        }
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.PASSIVE)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
        listener.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("listener.stack=" + listener.protocolStack());
        Connection preferred = taps.preconnection().security(SecurityParameters.disabled())
                .properties(multipath(MultipathMode.ACTIVE))
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
        preferred.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("prefer.stack=" + preferred.protocolStack().orElse("?"));
        System.out.println("prefer.multipath=" + preferred.getProperties().get(Property.MULTIPATH));
        preferred.send(Message.of("ping".getBytes(StandardCharsets.US_ASCII)));
        System.out.println("prefer.echo=" + new String(preferred.receive().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).bytes(), StandardCharsets.US_ASCII));
        preferred.abort();
        listener.close();
    }

    /** A counter of the MPTcpExt group of /proc/net/netstat, in this process's network namespace. */
    static long mptcpCounter(String name) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/net/netstat"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("MPTcpExt:") && lines.get(i + 1).startsWith("MPTcpExt:")) {
                String[] names = lines.get(i).split("\\s+");
                String[] values = lines.get(i + 1).split("\\s+");
                for (int k = 1; k < names.length && k < values.length; k++) {
                    if (names[k].equals(name)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return -1;
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
