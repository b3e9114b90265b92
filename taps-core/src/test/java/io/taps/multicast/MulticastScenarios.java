package io.taps.multicast;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Multicast scenarios run by {@link MulticastTest} in a child JVM inside a network namespace whose
 * loopback is multicast-capable ({@link io.taps.testing.NetnsJvm#MULTICAST_LOOPBACK}). Each prints
 * {@code key=value} lines; the test asserts on them. Uses only the public taps API, plus the
 * kernel's membership tables in /proc/net to see joins and leaves.
 */
public final class MulticastScenarios {
    private static final TransportProperties DATAGRAM = TransportProperties.unreliableDatagram();

    private MulticastScenarios() {
    }

    /**
     * Runs one scenario, or several separated by {@code --} (one child JVM for many scenarios): then
     * every line of the i-th scenario (from 0) is printed as {@code i.key=value}, and a failing
     * scenario does not stop the others.
     */
    public static void main(String[] args) throws Exception {
        List<List<String>> scenarios = new ArrayList<>();
        scenarios.add(new ArrayList<>());
        for (String arg : args) {
            if (arg.equals("--")) {
                scenarios.add(new ArrayList<>());
            } else {
                scenarios.get(scenarios.size() - 1).add(arg);
            }
        }
        java.io.PrintStream stdout = System.out;
        for (int i = 0; i < scenarios.size(); i++) {
            if (scenarios.size() > 1) {
                String prefix = i + ".";
                System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
                    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

                    @Override
                    public synchronized void write(int b) {
                        line.write(b);
                        if (b == '\n') {
                            stdout.print(prefix + line.toString(java.nio.charset.StandardCharsets.UTF_8));
                            line.reset();
                        }
                    }
                }, true, java.nio.charset.StandardCharsets.UTF_8));
            }
            try {
                run(scenarios.get(i).toArray(new String[0]));
                System.out.println("done=true");
            } catch (Exception | AssertionError failed) {
                System.out.println("failed=" + failed);
                failed.printStackTrace();
            }
            System.out.flush();
        }
        stdout.flush();
        Runtime.getRuntime().halt(0);
    }

    /** What the scenario's TransportObserver saw: multicast Connections must reach it like any other. */
    private static final java.util.concurrent.atomic.AtomicInteger OBSERVED_RECEIVED =
            new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger OBSERVED_ESTABLISHED =
            new java.util.concurrent.atomic.AtomicInteger();

    private static void run(String[] args) throws Exception {
        OBSERVED_RECEIVED.set(0);
        OBSERVED_ESTABLISHED.set(0);
        io.taps.monitor.TransportObserver observer = new io.taps.monitor.TransportObserver() {
            @Override
            public void connectionReceived(Listener listener, Connection connection) {
                OBSERVED_RECEIVED.incrementAndGet();
            }

            @Override
            public void establishmentFinished(Connection connection, io.taps.monitor.EstablishmentResult result) {
                if (result.succeeded()) {
                    OBSERVED_ESTABLISHED.incrementAndGet();
                }
            }
        };
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).observer(observer).build()) {
            switch (args[0]) {
                case "asm" -> asm(taps, args[1], Integer.parseInt(args[2]), args[3], args.length > 4 ? args[4] : null);
                case "ssm" -> ssm(taps, args[1], Integer.parseInt(args[2]), args[3], args[4], args[5]);
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }

    /**
     * ASM: a Listener joined to {@code group} (with the specifier, or as the IP address when
     * {@code spelling} is "address", EP-06) gets one receive-only Connection per taps send-only
     * sender; Stop leaves the group. With {@code interfaceName}, the join and the sends use that
     * interface.
     */
    static void asm(TransportServices taps, String groupText, int port, String spelling, String interfaceName)
            throws Exception {
        InetAddress group = InetAddress.getByName(groupText);
        LocalEndpoint.Builder localBuilder = "address".equals(spelling)
                ? LocalEndpoint.builder().withIpAddress(group).withPort(port)
                : LocalEndpoint.builder().withAnySourceMulticastGroupIP(group).withPort(port);
        if (interfaceName != null) {
            localBuilder.withInterface(interfaceName);
        }
        LocalEndpoint local = localBuilder.build();
        List<Connection> received = new CopyOnWriteArrayList<>();
        List<String> messages = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(local).properties(DATAGRAM).build().listen(connection -> {
            received.add(connection);
            connection.receive().thenAccept(message -> messages.add(message.asString()));
        });
        await(listener.ready());
        // EP-07: a second Listener on the same group and port (address re-use) receives as well.
        List<Connection> twinReceived = new CopyOnWriteArrayList<>();
        Listener twin = taps.preconnection().security(SecurityParameters.disabled()).local(local).properties(DATAGRAM).build().listen(twinReceived::add);
        await(twin.ready());
        System.out.println("joinedBeforeStop=" + member(group));

        List<Connection> senders = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            var senderBuilder = taps.preconnection().security(SecurityParameters.disabled());
            if (interfaceName != null) {
                senderBuilder.local(LocalEndpoint.builder().withInterface(interfaceName).build());
            }
            Connection sender = senderBuilder
                    .remote(RemoteEndpoint.builder().withMulticastGroupIP(group).withPort(port).withHopLimit(3).build())
                    .properties(DATAGRAM).build().initiate();
            await(sender.ready());
            senders.add(sender);
            await(sender.send("from-" + name));
        }
        waitUntil(() -> messages.size() >= 2, 5000);
        System.out.println("connections=" + received.size());
        System.out.println("messages=" + new TreeSet<>(messages));
        TreeSet<Integer> remotePorts = new TreeSet<>();
        for (Connection connection : received) {
            remotePorts.add(connection.remoteEndpoint().orElseThrow().port().orElse(-1));
        }
        TreeSet<Integer> senderPorts = new TreeSet<>();
        for (Connection sender : senders) {
            senderPorts.add(sender.localEndpoint().orElseThrow().port().orElse(-2));
        }
        System.out.println("remotesAreTheSenders=" + remotePorts.equals(senderPorts));
        Connection first = received.get(0);
        System.out.println("receivedCanSend=" + first.getProperties().get(Property.CAN_SEND));
        System.out.println("receivedSend=" + failureReason(first.send("back")));
        System.out.println("receivedLocal=" + first.localEndpoint().orElseThrow().ipAddress().orElseThrow().getHostAddress());
        System.out.println("senderCanReceive=" + senders.get(0).getProperties().get(Property.CAN_RECEIVE));
        System.out.println("senderReceive=" + failureReason(senders.get(0).receive()));

        waitUntil(() -> twinReceived.size() >= 2, 5000);
        System.out.println("twinConnections=" + twinReceived.size());
        waitUntil(() -> OBSERVED_ESTABLISHED.get() >= 2, 2000);
        System.out.println("observedReceived=" + OBSERVED_RECEIVED.get());
        System.out.println("observedEstablished=" + OBSERVED_ESTABLISHED.get());

        await(listener.stop());
        System.out.println("joinedWhileTwinListens=" + member(group));
        await(twin.stop());
        System.out.println("joinedAfterStop=" + member(group));
        await(senders.get(0).send("after-stop"));
        Thread.sleep(300);
        System.out.println("messagesAfterStop=" + messages.size());
    }

    /**
     * SSM: a Listener joined to {@code group} for {@code source} only ("specifier" spelling, or
     * "remote": the group as address and the source as RemoteEndpoint, Q-14) receives from a
     * sender bound to the source but not from one bound to {@code other}.
     */
    static void ssm(TransportServices taps, String groupText, int port, String sourceText, String otherText,
            String spelling) throws Exception {
        InetAddress group = InetAddress.getByName(groupText);
        InetAddress source = InetAddress.getByName(sourceText);
        var builder = taps.preconnection().security(SecurityParameters.disabled()).properties(DATAGRAM);
        if ("remote".equals(spelling)) {
            builder.local(LocalEndpoint.ofAddress(group, port)).remote(RemoteEndpoint.builder().withIpAddress(source).build());
        } else {
            builder.local(LocalEndpoint.builder().withSingleSourceMulticastGroupIP(group, source).withPort(port).build());
        }
        List<Connection> received = new CopyOnWriteArrayList<>();
        List<String> messages = new CopyOnWriteArrayList<>();
        Listener listener = builder.build().listen(connection -> {
            received.add(connection);
            receiveAll(connection, messages);
        });
        await(listener.ready());
        System.out.println("sourceFilter=" + sourceFiltered(group, source));

        Connection wrong = sender(taps, group, port, otherText);
        Connection right = sender(taps, group, port, sourceText);
        await(wrong.send("from-other"));
        await(right.send("from-source"));
        await(wrong.send("from-other-again"));
        waitUntil(() -> !messages.isEmpty(), 5000);
        Thread.sleep(500);
        System.out.println("messages=" + messages);
        System.out.println("connections=" + received.size());
        System.out.println("remote=" + received.get(0).remoteEndpoint().orElseThrow().ipAddress().orElseThrow()
                .getHostAddress());
        await(listener.stop());
        System.out.println("joinedAfterStop=" + member(group));
    }

    private static Connection sender(TransportServices taps, InetAddress group, int port, String from) {
        Connection sender = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress(from, 0))
                .remote(RemoteEndpoint.builder().withMulticastGroupIP(group).withPort(port).build())
                .properties(DATAGRAM).build().initiate();
        await(sender.ready());
        return sender;
    }

    private static void receiveAll(Connection connection, List<String> into) {
        connection.receive().thenAccept(message -> {
            into.add(message.asString());
            receiveAll(connection, into);
        });
    }

    /** Whether the kernel lists {@code group} as joined on some interface of this namespace. */
    static boolean member(InetAddress group) throws IOException {
        String table = Files.readString(Path.of(group instanceof Inet4Address ? "/proc/net/igmp" : "/proc/net/igmp6"))
                .toLowerCase(Locale.ROOT);
        return table.contains(kernelHex(group, true)) || table.contains(kernelHex(group, false));
    }

    /** Whether the kernel holds a source filter for {@code group} naming {@code source}. */
    static boolean sourceFiltered(InetAddress group, InetAddress source) throws IOException {
        Path path = Path.of(group instanceof Inet4Address ? "/proc/net/mcfilter" : "/proc/net/mcfilter6");
        for (String line : Files.readAllLines(path)) {
            String lower = line.toLowerCase(Locale.ROOT);
            boolean groupHere = lower.contains(kernelHex(group, true)) || lower.contains(kernelHex(group, false));
            boolean sourceHere = lower.contains(kernelHex(source, true)) || lower.contains(kernelHex(source, false));
            if (groupHere && sourceHere) {
                return true;
            }
        }
        return false;
    }

    private static String kernelHex(InetAddress address, boolean networkOrder) {
        byte[] bytes = address.getAddress();
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            int index = networkOrder ? i : bytes.length - 1 - i;
            hex.append(String.format("%02x", bytes[index] & 0xff));
        }
        return hex.toString();
    }

    private static String failureReason(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
            return "none";
        } catch (Exception e) {
            Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
            return cause instanceof TransportServicesException tse ? tse.reason().name() : String.valueOf(cause);
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("scenario step failed: " + e, e);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }
}
