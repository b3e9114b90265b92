package io.taps.zerortt;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.MessageProperties;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The TCP Fast Open scenarios of {@link TcpFastOpenTest}, run in a child JVM inside a network
 * namespace whose {@code net.ipv4.tcp_fastopen} is 3 (client and server; set before this JVM
 * starts, since Netty reads it when its epoll classes load). Each connection prints
 * {@code <name>.<key>=<value>} lines: the kernel's TCPFastOpenActive/Passive counter deltas, what
 * the establishment report and the Connection Properties say, and what the Listener received
 * (sha256, whether any Message said isEarlyData).
 */
public final class TcpFastOpenScenarios {
    private static final MessageProperties REPLAYABLE = MessageProperties.builder().safelyReplayable(true).build();

    private TcpFastOpenScenarios() {
    }

    /** A Connection the Listener accepted and what arrived on it. */
    private record Received(Connection connection, byte[] bytes, boolean anyEarly, boolean firstEarly) {
    }

    public static void main(String[] args) throws Exception {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).build()) {
            LinkedBlockingQueue<CompletableFuture<Received>> optedIn = new LinkedBlockingQueue<>();
            Listener listener = listen(taps, Preference.PREFER, optedIn);
            LinkedBlockingQueue<CompletableFuture<Received>> notOptedIn = new LinkedBlockingQueue<>();
            Listener plain = listen(taps, Preference.NO_PREFERENCE, notOptedIn);
            System.out.println("listener.zeroRttMsg=" + listener.protocolStack());

            Preconnection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress(java.net.InetAddress.getByName("127.0.0.1"), listener.port()))
                    .build();
            // First contact: the SYN asks for a cookie, the message follows the handshake.
            run("first", client, message(1000, 1, true), optedIn);
            // The kernel now has a cookie: the replayable message travels in the SYN.
            run("second", client, message(1000, 2, true), optedIn);
            // Larger than one SYN can carry: the rest follows, nothing lost or doubled.
            run("large", client, message(200_000, 3, true), optedIn);
            // Not safely replayable: never in the SYN, whatever the cookie.
            run("plain", client, message(1000, 4, false), optedIn);
            // isolateSession: the kernel's cookie cache cannot be isolated, so no Fast Open.
            Preconnection isolated = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress(java.net.InetAddress.getByName("127.0.0.1"), listener.port()))
                    .properties(TransportProperties.builder().isolateSession(true).build())
                    .build();
            run("isolated", isolated, message(1000, 5, true), optedIn);
            // A Listener that did not opt in accepts no data in SYNs (its socket has no TCP_FASTOPEN).
            Preconnection toPlain = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress(java.net.InetAddress.getByName("127.0.0.1"), plain.port()))
                    .build();
            run("notOptedIn1", toPlain, message(1000, 6, true), notOptedIn);
            run("notOptedIn2", toPlain, message(1000, 7, true), notOptedIn);
            // With a cookie for 127.0.0.1 cached, a SYN with data to a port nobody listens on is
            // refused: the attempt fails (EstablishmentError), it does not win and fail after Ready.
            Listener gone = listen(taps, Preference.PREFER, new LinkedBlockingQueue<>());
            int deadPort = gone.port();
            gone.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Map<String, Long> before = counters();
            Connection refused = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress(java.net.InetAddress.getByName("127.0.0.1"), deadPort))
                    .build().initiateWithSend(message(100, 8, true), new io.taps.ConnectionEventHandler() { });
            try {
                refused.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
                System.out.println("refused.outcome=ready");
            } catch (java.util.concurrent.ExecutionException expected) {
                System.out.println("refused.outcome=" + expected.getCause().getClass().getSimpleName() + ":"
                        + ((io.taps.TransportServicesException) expected.getCause()).reason());
            }
            System.out.println("refused.active=" + (counters().get("TCPFastOpenActive") - before.get("TCPFastOpenActive")));
            System.out.println("refused.reportEarly=" + refused.establishmentReport().startedAttempts().stream()
                    .anyMatch(EstablishmentReport.Attempt::earlyData));
            listener.stop();
            plain.stop();
            System.out.println("done=true");
        } catch (Exception | AssertionError failed) {
            System.out.println("failed=" + failed);
            failed.printStackTrace();
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static Listener listen(TransportServices taps, Preference zeroRtt,
            LinkedBlockingQueue<CompletableFuture<Received>> accepted) throws Exception {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress(java.net.InetAddress.getByName("127.0.0.1"), 0))
                .properties(TransportProperties.builder().zeroRttMsg(zeroRtt).build())
                .build().listen(connection -> {
                    CompletableFuture<Received> received = new CompletableFuture<>();
                    accepted.add(received);
                    readAll(connection, new ByteArrayOutputStream(), false, null, received);
                });
        listener.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return listener;
    }

    /** Receives until the peer's end of stream, noting whether any part was early data. */
    private static void readAll(Connection connection, ByteArrayOutputStream bytes, boolean anyEarly,
            Boolean firstEarly, CompletableFuture<Received> done) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            byte[] part = message.bytes();
            bytes.write(part, 0, part.length);
            MessageContext context = message.context();
            boolean early = anyEarly || context.isEarlyData();
            Boolean first = firstEarly != null ? firstEarly : context.isEarlyData();
            if (message.endOfMessage()) {
                done.complete(new Received(connection, bytes.toByteArray(), early, first));
            } else {
                readAll(connection, bytes, early, first, done);
            }
        });
    }

    private static Message message(int size, long seed, boolean replayable) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Message message = Message.of(data);
        return replayable ? message.withContext(MessageContext.of(REPLAYABLE)) : message;
    }

    private static void run(String name, Preconnection preconnection, Message message,
            LinkedBlockingQueue<CompletableFuture<Received>> accepted) throws Exception {
        Map<String, Long> before = counters();
        Connection connection = preconnection.initiateWithSend(message, new io.taps.ConnectionEventHandler() {
        });
        connection.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Object zeroRtt = connection.getProperties().get(Property.ZERO_RTT_MSG.name());
        connection.close();
        connection.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<Received> next = accepted.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError(name + ": the Listener accepted no Connection");
        }
        Received received = next.get(10, TimeUnit.SECONDS);
        Map<String, Long> after = counters();
        List<EstablishmentReport.Attempt> attempts = connection.establishmentReport().startedAttempts();
        System.out.println(name + ".active=" + (after.get("TCPFastOpenActive") - before.get("TCPFastOpenActive")));
        System.out.println(name + ".passive=" + (after.get("TCPFastOpenPassive") - before.get("TCPFastOpenPassive")));
        System.out.println(name + ".reportEarly=" + attempts.stream().anyMatch(EstablishmentReport.Attempt::earlyData));
        System.out.println(name + ".zeroRttMsg=" + zeroRtt);
        System.out.println(name + ".serverZeroRttMsg="
                + received.connection().getProperties().get(Property.ZERO_RTT_MSG.name()));
        System.out.println(name + ".sent=" + sha256(message.bytes()));
        System.out.println(name + ".received=" + sha256(received.bytes()));
        System.out.println(name + ".length=" + received.bytes().length);
        System.out.println(name + ".anyEarly=" + received.anyEarly());
        System.out.println(name + ".firstEarly=" + received.firstEarly());
        received.connection().close();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The kernel's TcpExt counters of this namespace (what {@code nstat} reads). */
    static Map<String, Long> counters() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        Map<String, Long> values = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).split("\\s+");
            String[] numbers = lines.get(i + 1).split("\\s+");
            if (names[0].equals("TcpExt:")) {
                for (int j = 1; j < names.length && j < numbers.length; j++) {
                    values.put(names[j], Long.parseLong(numbers[j]));
                }
            }
        }
        return values;
    }
}
