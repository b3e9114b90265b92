package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.internal.conn.TapsConnection;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What one idle accepted cleartext TCP Connection keeps of its own (issue 21 item 4, figure 12 of
 * the benchmarks), counted as objects rather than bytes after GC, so the count cannot move with the
 * collector or the load: the objects reachable from one accepted Connection through taps' fields
 * and arrays, less those reachable from a second accepted Connection of the same Listener (what
 * they share: the Listener, the properties, the stack, the event loop). Netty's and the JDK's
 * objects are counted where taps reaches them but not walked into: raw Netty holds its channel too.
 *
 * <p>The peers are plain JDK sockets. What an idle accepted Connection must not keep until asked:
 * its establishment report (built when read, then the same report every time), its
 * {@code messages()} publisher, lists of known endpoints beyond the one pair in use, the Acceptor's
 * attempt observer (kept alive by an anonymous default handler), the framers' start callbacks, and
 * pipeline names of its own.
 */
class AcceptedConnectionFootprintTest extends TapsTestSupport {
    /**
     * Objects an idle accepted Connection keeps of its own now (21: no deque, its waiting Receive
     * in a field), with a little room; 23 on main 5eaf2ec, 31 on 4b4c96c, 47 on 485d9ab. Session
     * 14: 19 (21 on 9e48681), the idle sweep's task shared and PropertyActions static. Session 15:
     * 18, the send queue's list made only for two queued Sends. Session 16: 14, no KnownEndpoints
     * until one is added, the paths their own queues, the framers' holder the event loop's.
     * Session 17: 11, the link's holder of written Messages the event loop's too, the transfer
     * counters and the event dispatcher fields of the Connection. Session 18: 9, the property store
     * shared by the Listener's Connections, the idle timer fields of the Connection. Session 19: 5,
     * the lifecycle and the send and receive paths layers of the Connection object, not objects.
     */
    private static final int BOUND = 6;
    /**
     * Objects an echo server's idle Connection keeps of its own, counted from its pipeline's
     * handlers too: session 15, 31 (37 on main 3173d2f: the received context's endpoints and
     * their ports, the framer stack's list and the send queue's). Session 16: 24, the same and one
     * Receive (the pooled one reused in the handler), the framer stack's array of one. Session 17:
     * 19, no FramedMessage of the link's own nor TransferCounters or EventDispatcher object, and
     * the idle pooled Send with its promise the event loop's. Session 18: 16, no FramerStack,
     * framer nor HeaderCodec of its own (the built-in framer is its factory's, the one framer's
     * handler its own stack); then 13, no property store nor idle timer of its own, and its
     * waiting Receive parked (its object the loop's). Session 19: 9, the lifecycle and the send and
     * receive paths layers of the Connection object; then 7, the received context the event loop's
     * (ReceivedContexts) and with it the second address.
     */
    private static final int ECHO_BOUND = 8;

    private static Listener listener;
    private static final List<Connection> accepted = new CopyOnWriteArrayList<>();
    private static Socket first;
    private static Socket second;
    private static Socket third;

    @BeforeAll
    static void twoIdleAcceptedConnections() throws Exception {
        listener = taps.preconnection()
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    connection.receive();
                    accepted.add(connection);
                });
        Await.result(listener.ready());
        first = new Socket("127.0.0.1", listener.port());
        second = new Socket("127.0.0.1", listener.port());
        third = new Socket("127.0.0.1", listener.port());
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() == 3);
    }

    @AfterAll
    static void close() throws Exception {
        first.close();
        second.close();
        third.close();
        listener.close();
    }

    @Test
    void anIdleAcceptedConnectionKeepsFewObjectsOfItsOwn() throws Exception {
        Map<String, Integer> own = ownObjects(accepted.get(0), accepted.get(1));
        int total = own.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("objects an idle accepted Connection keeps of its own: " + total + " " + own);
        assertThat(own).as("kept only once asked for, or shared by all Connections")
                .doesNotContainKeys(EstablishmentReport.class.getName(), "io.taps.internal.flow.ReceivePublisher",
                        Acceptor.class.getName() + "$1", "java.lang.String");
        assertThat(own.getOrDefault("java.util.ArrayList", 0)).as("lists: the send queue's only").isLessThanOrEqualTo(1);
        // Session 12: made when used, or one for all Connections of the engine or the Listener.
        assertThat(own).as("the group, the futures, the event ring, the end callbacks: made when used or shared")
                .doesNotContainKeys("io.taps.internal.group.TapsConnectionGroup",
                        "java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.CompletableFuture",
                        "[Ljava.lang.Object;", "java.time.Instant", "io.taps.internal.Engine$$Lambda",
                        "io.taps.internal.listen.ListenerCore$$Lambda");
        // Session 13: the one in-flight Send, waiting Receive and queued unit wait in fields.
        assertThat(own).as("deques: made only for a second Send in flight, Receive waiting or unit queued")
                .doesNotContainKey("java.util.ArrayDeque");
        // Session 14: one idle sweep per event loop and timeout samples them all; static property actions.
        assertThat(own).as("the idle timeout's scheduled task is the sweep's, shared by the loop's Connections")
                .doesNotContainKeys("io.netty.util.concurrent.ScheduledFutureTask",
                        "io.taps.internal.conn.PropertyActions");
        // Session 17: Messages go down to the framers in the event loop thread's holder, not the link's.
        assertThat(own).as("no holder of written Messages per link").doesNotContainKey(
                "io.taps.internal.framer.FramedMessage");
        assertThat(own).as("the transfer counters and the event dispatcher: fields of the Connection (its superclasses)")
                .doesNotContainKeys("io.taps.internal.conn.TransferCounters", "io.taps.internal.conn.EventDispatcher");
        assertThat(total).as("objects an idle accepted Connection keeps of its own").isLessThanOrEqualTo(BOUND);
    }

    @Test
    void theReportBuiltWhenAskedForSaysWhatWasAccepted() throws Exception {
        // The third: the first two are counted and compared, and are never asked anything.
        Connection connection = accepted.get(2);
        int clientPort = connection.remoteEndpoint().orElseThrow().port().orElseThrow();
        assertThat(List.of(first.getLocalPort(), second.getLocalPort(), third.getLocalPort())).contains(clientPort);
        EstablishmentReport report = connection.establishmentReport();
        EstablishmentReport expected = EstablishmentReport.accepted("TCP", new InetSocketAddress("127.0.0.1", clientPort));
        assertThat(report).isSameAs(connection.establishmentReport());
        assertThat(report.winner()).isEqualTo(expected.winner());
        assertThat(report.tree()).isEqualTo(expected.tree());
        assertThat(report.notes()).isEmpty();
        assertThat(report.finished()).isTrue();
        assertThat(connection.messages()).isSameAs(connection.messages());
        assertThat(connection.remoteEndpoints()).containsExactly(RemoteEndpoint.ofAddress("127.0.0.1", clientPort));
        assertThat(connection.localEndpoints()).containsExactly(connection.localEndpoint().orElseThrow());
    }

    @Test
    void whatIsMadeWhenAskedForSaysWhatHappenedBefore() throws Exception {
        // A Connection of its own: the first two are counted, the third's report is read.
        Connection connection;
        try (Socket fourth = new Socket("127.0.0.1", listener.port())) {
            connection = acceptedFrom(fourth);
            // ready() asked only after the accepted Connection was Ready: already complete.
            assertThat(connection.ready().toCompletableFuture().getNow(null)).isSameAs(connection);
            // A group made when asked for holds the Connection, and stays the same group.
            assertThat(connection.group().connections()).containsExactly(connection);
            assertThat(connection.group()).isSameAs(connection.group());
            assertThat(taps.connections()).contains(connection);
            connection.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> connection.state().name().equals("CLOSED"));
        // closed() asked only after the end: it has the outcome; the engine forgot the Connection.
        await().atMost(Duration.ofSeconds(30)).until(() -> connection.closed().toCompletableFuture().isDone());
        assertThat(connection.group().connections()).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> !taps.connections().contains(connection));
    }

    @Test
    void anEchoWithEventsKeepsItsPooledSendAndReceiveWithoutDeques() throws Exception {
        try (Socket fifth = new Socket("127.0.0.1", listener.port())) {
            Connection connection = acceptedFrom(fifth);
            connection.setEventHandler(new io.taps.ConnectionEventHandler() {
                @Override
                public void received(Connection c, io.taps.Message message) {
                    c.sendWithEvents(message);
                    c.receiveWithEvents(1, Integer.MAX_VALUE);
                }
            });
            byte[] frame = {0, 0, 0, 3, 'a', 'b', 'c'};
            for (int round = 0; round < 3; round++) {
                fifth.getOutputStream().write(frame);
                assertThat(fifth.getInputStream().readNBytes(frame.length)).isEqualTo(frame);
            }
            // One Send and one Receive at a time: the pooled ones wait in a field each, no deque.
            // Session 19: the send and receive paths are layers of the Connection object itself.
            Class<?> sendPath = Class.forName("io.taps.internal.conn.SendPath");
            Class<?> receivePath = Class.forName("io.taps.internal.conn.ReceivePath");
            ((TapsConnection) connection).eventLoop().submit(() -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
            // Session 17: the idle pooled Send is the event loop's (SendPool), not the Connection's.
            assertThat(java.util.Arrays.stream(sendPath.getDeclaredFields()).map(Field::getName))
                    .as("no pooled Send of its own").doesNotContain("spare", "idle");
            // The waiting Receive is the pooled one, reused inside the handler (PooledReceiveReuseTest).
            assertThat(java.util.Arrays.stream(receivePath.getDeclaredFields()).map(Field::getName))
                    .as("no idle pooled Receive beside the waiting one, nor a deque of them (ReceivePool)")
                    .doesNotContain("spare", "idle");
            // Session 13: nor for the one Send in flight, the one Receive waiting, the one unit queued.
            assertThat(field(connection, sendPath, "laterInFlight")).as("no deque of Sends in flight").isNull();
            // Session 18: ReceivePath extends WaitingReceives, which extends InboundQueue.
            assertThat(field(connection, receivePath.getSuperclass(), "laterRequests"))
                    .as("no deque of waiting Receives").isNull();
            assertThat(field(connection, receivePath.getSuperclass(), "firstRequest"))
                    .as("the waiting Receive is parked, its object the loop's").isNull();
            // ReceivePath is its own inbound queue (it extends InboundQueue).
            assertThat(field(connection, receivePath.getSuperclass().getSuperclass(), "rest"))
                    .as("no deque of inbound units").isNull();
            // Session 18: a small Message is copied into a pooled buffer per write; SendPath keeps no
            // payload (a view kept for a resend pinned an echo's last answer and its wrappers).
            assertThat(java.util.Arrays.stream(sendPath.getDeclaredFields()).map(Field::getType))
                    .as("no payload kept by the send path").doesNotContain(io.netty.buffer.ByteBuf.class, byte[].class);
            connection.close();
        }
    }

    /**
     * An echo server's Connection after two answers, as figure 12's server holds 10,000 of them:
     * the context of its received Messages keeps the link's addresses (the channel holds them
     * anyway), not endpoints made up front with their port Integers (~120 B); the framer stack and
     * the send queue keep no list, and the send path no payload.
     */
    @Test
    void anEchoServersIdleConnectionKeepsNoEndpointsNorLists() throws Exception {
        List<Connection> echoing = new CopyOnWriteArrayList<>();
        io.taps.ConnectionEventHandler echo = new io.taps.ConnectionEventHandler() {
            @Override
            public void received(Connection c, io.taps.Message message) {
                c.sendWithEvents(message);
                c.receiveWithEvents(1, Integer.MAX_VALUE);
            }
        };
        Listener server = taps.preconnection()
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    connection.setEventHandler(echo);
                    connection.receiveWithEvents(1, Integer.MAX_VALUE);
                    echoing.add(connection);
                });
        Await.result(server.ready());
        byte[] frame = {0, 0, 0, 3, 'a', 'b', 'c'};
        try (Socket one = new Socket("127.0.0.1", server.port()); Socket two = new Socket("127.0.0.1", server.port())) {
            for (Socket client : List.of(one, two)) {
                for (int answer = 0; answer < 2; answer++) {
                    client.getOutputStream().write(frame);
                    assertThat(client.getInputStream().readNBytes(frame.length)).isEqualTo(frame);
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> echoing.size() == 2);
            for (Connection connection : echoing) {
                ((TapsConnection) connection).eventLoop().submit(() -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            // From the pipeline's handlers too: the framer's handler keeps the received context.
            Map<String, Integer> own = ownObjects(withHandlers(echoing.get(0)), withHandlers(echoing.get(1)));
            System.out.println("objects an echo server's idle Connection keeps of its own: "
                    + own.values().stream().mapToInt(Integer::intValue).sum() + " " + own);
            assertThat(own).as("the received context: the event loop's for the links active lately")
                    .doesNotContainKey(io.taps.MessageContext.class.getName());
            assertThat(own).as("the received context's endpoints, made only when read")
                    .doesNotContainKeys(RemoteEndpoint.class.getName(), LocalEndpoint.class.getName(),
                            "java.lang.Integer");
            assertThat(own.keySet()).as("no payload view of the answer sent").noneMatch(name -> name.startsWith(
                    "io.netty.buffer."));
            assertThat(own).as("the framer stack's handlers in an array of their number, no send queue list")
                    .doesNotContainKeys("java.util.ArrayList", "[Ljava.lang.Object;");
            assertThat(own).as("the built-in framer and its codec: the factory's; the one framer's handler: its stack")
                    .doesNotContainKeys("io.taps.framer.lengthprefix.LengthPrefixFramer",
                            "io.taps.internal.framer.HeaderCodec", "io.taps.internal.framer.FramerChain",
                            "io.taps.internal.framer.RareState");
            assertThat(own).as("the idle pooled Send and its promise: the event loop's")
                    .doesNotContainKeys("io.taps.internal.conn.PendingSend", "io.taps.internal.conn.SendPromise");
            assertThat(own.values().stream().mapToInt(Integer::intValue).sum())
                    .as("objects an echo server's idle Connection keeps of its own").isLessThanOrEqualTo(ECHO_BOUND);
        } finally {
            server.close();
        }
    }

    /** The accepted Connection whose peer is {@code client}, once the Listener delivered it. */
    private static Connection acceptedFrom(Socket client) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> accepted.stream()
                .filter(c -> c.remoteEndpoint().map(e -> e.port().orElse(-1)).orElse(-1) == client.getLocalPort())
                .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    private static Object field(Object owner, Class<?> declaredBy, String name) throws ReflectiveOperationException {
        Field field = declaredBy.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    /**
     * The only framer of an accepted TCP Connection runs in its taps handler: the pipeline holds no
     * framer handler (a handler and its Netty context were 112 B of every framed Connection, issue 21
     * figure 12), and the handler names are the shared constant.
     */
    @Test
    void anAcceptedConnectionsOnlyFramerHasNoPipelineHandlerOfItsOwn() {
        Map<String, io.netty.channel.ChannelHandler> handlers = channel(accepted.get(0)).pipeline().toMap();
        assertThat(handlers.keySet()).as("the taps handler alone").containsExactly("taps");
        ConnectionHandler taps = (ConnectionHandler) handlers.get("taps");
        assertThat(taps.hostedFramer()).as("the framer runs in the taps handler").isNotNull();
        assertThat(channel(accepted.get(1)).pipeline().names().get(0)).as("the same name object, not a copy per Connection")
                .isSameAs(channel(accepted.get(0)).pipeline().names().get(0));
    }

    private static Channel channel(Connection connection) {
        return ((ChannelLink) ((TapsConnection) connection).link()).channel();
    }

    /** The Connection and the handlers of its channel's pipeline. */
    private static List<Object> withHandlers(Connection connection) {
        List<Object> roots = new java.util.ArrayList<>(channel(connection).pipeline().toMap().values());
        roots.add(0, connection);
        return roots;
    }

    /** Class name to count of the objects reachable from {@code mine} and not from {@code other}. */
    private static Map<String, Integer> ownObjects(Object mine, Object other) throws IllegalAccessException {
        Set<Object> theirs = reachable(other);
        Map<String, Integer> own = new TreeMap<>();
        for (Object object : reachable(mine)) {
            if (!theirs.contains(object)) {
                own.merge(object.getClass().getName().replaceAll("[$][$]Lambda.*", "\\$\\$Lambda"), 1, Integer::sum);
            }
        }
        return own;
    }

    /**
     * A Connection's links to its idle sweep and to its neighbours in the sweep's list (fields of
     * its transfer counters since session 18), and to its neighbours in the engine's registry: they
     * lead to other Connections, which are not this one's own.
     */
    private static boolean sharedSweepLink(Field field) {
        return field.getDeclaringClass().getName().equals("io.taps.internal.conn.TransferCounters")
                && field.getName().startsWith("idle") && !field.getType().isPrimitive()
                || field.getDeclaringClass() == TapsConnection.class && field.getName().startsWith("tracked");
    }

    /**
     * Everything reachable through taps' fields and any array; other objects are reached, not
     * walked into. A List {@code root} is several roots.
     */
    private static Set<Object> reachable(Object root) throws IllegalAccessException {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> next = new ArrayDeque<>();
        for (Object each : root instanceof List ? (List<?>) root : List.of(root)) {
            next.add(each);
            seen.add(each);
        }
        while (!next.isEmpty()) {
            Object object = next.poll();
            Class<?> type = object.getClass();
            if (type.isArray()) {
                if (!type.getComponentType().isPrimitive()) {
                    for (Object element : (Object[]) object) {
                        if (element != null && seen.add(element)) {
                            next.add(element);
                        }
                    }
                }
                continue;
            }
            // The engine's registry links every Connection it tracks: reached, not walked into.
            if (!type.getName().startsWith("io.taps.") || Thread.class.isAssignableFrom(type)
                    || type == io.taps.internal.conn.ConnectionRegistry.class) {
                continue;
            }
            for (Class<?> c = type; c != null && c.getName().startsWith("io.taps."); c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
                            || sharedSweepLink(field)) {
                        continue;
                    }
                    field.setAccessible(true);
                    Object value = field.get(object);
                    if (value != null && seen.add(value)) {
                        next.add(value);
                    }
                }
            }
        }
        return seen;
    }
}
