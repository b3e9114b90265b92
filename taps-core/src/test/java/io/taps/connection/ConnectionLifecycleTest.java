package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Connection state machine and data transfer rules of RFC 9622 §8–§11 over real TCP: Close,
 * Abort, Final, msgLifetime, msgPriority, backpressure, Receive limits, SetProperty and
 * GetProperties.
 */
class ConnectionLifecycleTest extends TapsTestSupport {


    @AfterAll
    static void stop() {
        slowSystems.forEach(TransportServices::close);
        dnsFixtures.forEach(io.taps.testing.DnsFixture::close);
    }

    static Listener echoListener() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    static Connection connect(int port, ConnectionEventHandler handler) {
        return connect(port, TransportProperties.defaults(), handler);
    }

    static Connection connect(int port, TransportProperties properties, ConnectionEventHandler handler) {
        return taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).properties(properties).build()
                .initiate(handler);
    }

    /**
     * Connects through a name the test DNS server answers only after a delay, so that everything
     * sent right after initiate() deterministically waits in taps' queue until Ready.
     */
    static Connection connectSlowly(int port, ConnectionEventHandler handler, Message first) throws Exception {
        io.taps.testing.DnsFixture dns = io.taps.testing.DnsFixture.start();
        {
            dns.a("slow.taps.test", "127.0.0.1").delay("slow.taps.test", io.netty.handler.codec.dns.DnsRecordType.A,
                    Duration.ofMillis(300)).delay("slow.taps.test", io.netty.handler.codec.dns.DnsRecordType.AAAA,
                    Duration.ofMillis(300));
            TransportServices slow = TransportServices.builder().eventLoopThreads(1)
                    .nameServers(List.of(dns.address())).hostsFile(emptyHostsFile()).build();
            slowSystems.add(slow);
            var pre = slow.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost("slow.taps.test", port)).build();
            Connection connection = first == null ? pre.initiate(handler) : pre.initiateWithSend(first, handler);
            dnsFixtures.add(dns);
            return connection;
        }
    }

    static final List<TransportServices> slowSystems = new CopyOnWriteArrayList<>();
    static final List<io.taps.testing.DnsFixture> dnsFixtures = new CopyOnWriteArrayList<>();

    static java.nio.file.Path emptyHostsFile() throws java.io.IOException {
        java.nio.file.Path hosts = java.nio.file.Files.createTempFile("taps-hosts", ".txt");
        hosts.toFile().deleteOnExit();
        return hosts;
    }

    static String receiveText(Connection connection, int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(Await.result(connection.receive()).asString());
        }
        return text.toString();
    }

    static ErrorReason reasonOf(Throwable failure) {
        return ((TransportServicesException) failure).reason();
    }

    @Test
    void closeStillDeliversDataThatArrivesBeforeThePeersFin_Q5() {
        try (Listener listener = echoListener()) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(listener.port(), events);
            client.send("late reply");
            CompletionStage<Message> reply = client.receive();
            client.close();
            assertThat(Await.result(reply).asString()).isEqualTo("late reply");
            Await.result(client.closed());
            assertThat(events.events()).containsSubsequence("Ready", "Sent", "ReceivedPartial", "Closed");
            assertThat(events.events()).last().isEqualTo("Closed");
        }
    }

    @Test
    void closeTimeoutTurnsAMissingPeerFinIntoClosed_Q5() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (PlainTcpPeer silent = PlainTcpPeer.start(socket -> release.get())) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(silent.port(),
                    TransportProperties.builder().closeTimeout(Duration.ofMillis(200)).build(), events);
            Await.result(client.ready());
            client.close();
            Await.result(client.closed(), Duration.ofSeconds(5));
            assertThat(events.events()).containsExactly("Ready", "Closed");
        } finally {
            release.complete(null);
        }
    }

    @Test
    void abortResetsTheConnectionAndFailsPendingReceivesBeforeConnectionError_A24() {
        List<Connection> serverSide = new CopyOnWriteArrayList<>();
        RecordingHandler serverEvents = new RecordingHandler();
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    connection.setEventHandler(serverEvents);
                    serverSide.add(connection);
                    connection.receive();
                })) {
            Await.result(listener.ready());
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(listener.port(), events);
            Await.result(client.ready());
            await().atMost(Duration.ofSeconds(5)).until(() -> serverSide.size() == 1);
            CompletionStage<Message> pending = client.receive();
            client.abort();
            assertThat(reasonOf(Await.failure(pending))).isEqualTo(ErrorReason.LOCAL_ABORT);
            assertThat(reasonOf(Await.failure(client.closed()))).isEqualTo(ErrorReason.LOCAL_ABORT);
            assertThat(events.events()).containsExactly("Ready", "ReceiveError:LocalAbort", "ConnectionError:LocalAbort");
            // The peer sees a reset, not an orderly close.
            await().atMost(Duration.ofSeconds(5)).until(() -> serverEvents.terminal.isDone());
            assertThat(serverEvents.events()).last().asString().startsWith("ConnectionError:ConnectionAborted");

            // Nothing after the terminal event (E-21): later actions fail without events.
            assertThat(reasonOf(Await.failure(client.receive()))).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(reasonOf(Await.failure(client.send("too late")))).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(events.events()).containsExactly("Ready", "ReceiveError:LocalAbort", "ConnectionError:LocalAbort");
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }

    @Test
    void sendAfterCloseIsRefusedAndNothingFollowsClosed_E13_E21() throws Exception {
        CompletableFuture<Void> peerMayClose = new CompletableFuture<>();
        // The peer answers our FIN only when told to, so the connection is reliably still Closing below.
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            PlainTcpPeer.readToEnd(socket.getInputStream());
            peerMayClose.get();
            socket.shutdownOutput();
        })) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(peer.port(), events);
            Await.result(client.ready());
            client.close();
            Throwable whileClosing = Await.failure(client.send("after close"));
            assertThat(reasonOf(whileClosing)).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSING);
            peerMayClose.complete(null);
            Await.result(client.closed());
            Throwable afterClosed = Await.failure(client.send("after closed"));
            assertThat(reasonOf(afterClosed)).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(events.events()).containsExactly("Ready", "SendError:ConnectionClosed", "Closed");
        } finally {
            peerMayClose.complete(null);
        }
    }

    @Test
    void finalMessageHalfClosesWithoutClosedAndForbidsFurtherSends_MP05_Q7() throws Exception {
        AtomicReference<byte[]> peerSaw = new AtomicReference<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            byte[] all = PlainTcpPeer.readToEnd(socket.getInputStream());
            peerSaw.set(all);
            OutputStream out = socket.getOutputStream();
            out.write("still receiving".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
        })) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(peer.port(), events);
            MessageContext last = MessageContext.of(MessageProperties.builder().finalMessage(true).build());
            Await.result(client.send(Message.of("bye").withContext(last)));
            assertThat(client.getProperties().get(Property.CAN_SEND)).isFalse();
            assertThat(reasonOf(Await.failure(client.send("more")))).isEqualTo(ErrorReason.FINAL_MESSAGE_SENT);

            // The peer saw our FIN right after the final message and can still answer.
            StringBuilder answer = new StringBuilder();
            Message end;
            do {
                end = Await.result(client.receive());
                answer.append(end.asString());
            } while (!end.endOfMessage());
            assertThat(answer).hasToString("still receiving");
            assertThat(end.context().isFinal()).isTrue();
            assertThat(new String(peerSaw.get(), StandardCharsets.UTF_8)).isEqualTo("bye");
            assertThat(client.state()).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(events.events()).doesNotContain("Closed");
            assertThat(client.getProperties().get(Property.CAN_RECEIVE)).isFalse();
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).last().isEqualTo("Closed");
        }
    }

    @Test
    void queuedMessagesWhoseLifetimeEndsExpire_MP01_E12() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        // The peer accepts TCP but never answers the TLS handshake, so sends stay queued in taps.
        try (PlainTcpPeer silent = PlainTcpPeer.start(socket -> release.get())) {
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", silent.port()))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build().initiate(Duration.ofMillis(800), events);
            MessageContext shortLived = MessageContext.of(
                    MessageProperties.builder().msgLifetime(Duration.ofMillis(100)).build());
            CompletionStage<MessageContext> expiring = client.send(Message.of("stale").withContext(shortLived));
            CompletionStage<MessageContext> waiting = client.send("no lifetime");
            assertThat(reasonOf(Await.failure(expiring))).isEqualTo(ErrorReason.TIMEOUT);
            assertThat(events.events()).containsExactly("Expired");
            // The message without a lifetime stays queued until establishment fails, then fails with it
            // and without a SendError of its own.
            Await.failure(waiting);
            Await.result(events.terminal);
            assertThat(events.events()).hasSize(2).element(1).asString().startsWith("EstablishmentError");
        } finally {
            release.complete(null);
        }
    }

    @Test
    void priorityReordersOnlyQueuedUnorderedMessagesAndFinalGoesLast_MP02_Q8() throws Exception {
        AtomicReference<String> peerSaw = new AtomicReference<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(
                bytes -> peerSaw.set(new String(bytes, StandardCharsets.UTF_8))))) {
            Connection client = connectSlowly(peer.port(), new ConnectionEventHandler() { }, null);
            // Submitted before Ready, so all of them wait in taps' queue together.
            client.send(Message.of("a").withContext(context(100, false, false)));
            client.send(Message.of("b").withContext(context(5, false, false)));
            client.send(Message.of("c").withContext(context(50, false, false)));
            client.send(Message.of("d").withContext(context(1, false, false)));
            // Final outranks everything by priority, yet goes last (MP-05); anything sent after it fails.
            client.send(Message.of("F").withContext(context(0, false, true)));
            assertThat(reasonOf(Await.failure(client.send("late")))).isEqualTo(ErrorReason.FINAL_MESSAGE_SENT);
            Await.result(peer.done());
            assertThat(peerSaw.get()).isEqualTo("dbcaF");
            client.abort();
        }
    }

    @Test
    void messagesThatRequireOrderKeepSubmissionOrderDespitePriority_Q8() throws Exception {
        AtomicReference<String> peerSaw = new AtomicReference<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(
                bytes -> peerSaw.set(new String(bytes, StandardCharsets.UTF_8))))) {
            Connection client = connectSlowly(peer.port(), new ConnectionEventHandler() { }, null);
            client.send(Message.of("1").withContext(context(100, true, false)));
            client.send(Message.of("2").withContext(context(1, true, false)));
            client.send(Message.of("x").withContext(context(0, false, false)));
            client.send(Message.of("3").withContext(context(50, true, true)));
            Await.result(peer.done());
            assertThat(peerSaw.get()).isEqualTo("x123");
            client.abort();
        }
    }

    static MessageContext context(int priority, boolean ordered, boolean isFinal) {
        return MessageContext.of(MessageProperties.builder().msgPriority(priority).msgOrdered(ordered)
                .finalMessage(isFinal).build());
    }

    @Test
    void sendQueueIsBoundedAndOverflowIsASendError_backpressure() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        // A peer that never reads: the kernel buffers fill, then Netty's, then taps' bounded queue.
        try (PlainTcpPeer stuck = PlainTcpPeer.start(socket -> release.get())) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(stuck.port(),
                    TransportProperties.builder().sendQueueLimit(1 << 20).build(), events);
            Await.result(client.ready());
            byte[] chunk = new byte[64 * 1024];
            TransportServicesException overflow = null;
            List<CompletionStage<MessageContext>> sends = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 4000 && overflow == null; i++) {
                CompletionStage<MessageContext> send = client.send(chunk);
                sends.add(send);
                CompletableFuture<MessageContext> future = send.toCompletableFuture();
                if (i % 16 == 15) {
                    // Let the event loop process what was submitted so far.
                    Await.result(client.ready());
                    Thread.sleep(5);
                }
                if (future.isCompletedExceptionally()) {
                    overflow = (TransportServicesException) Await.failure(send);
                }
            }
            assertThat(overflow).as("a send must fail once the queue is full").isNotNull();
            assertThat(overflow.reason()).isEqualTo(ErrorReason.SEND_QUEUE_FULL);
            assertThat(events.events()).contains("SendError:SendQueueFull");
            client.abort();
        } finally {
            release.complete(null);
        }
    }

    @Test
    void receiveHonoursMinIncompleteLengthAndMaxLength_A21() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            OutputStream out = socket.getOutputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(150);
            out.write("defghij".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            PlainTcpPeer.readToEnd(socket.getInputStream());
        })) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(peer.port(), events);
            Message atLeastFive = Await.result(client.receive(5, 100));
            assertThat(atLeastFive.length()).isGreaterThanOrEqualTo(5);
            assertThat(atLeastFive.asString()).startsWith("abcde");
            String rest = atLeastFive.asString();
            while (rest.length() < 10) {
                Message part = Await.result(client.receive(1, 2));
                assertThat(part.length()).isLessThanOrEqualTo(2);
                rest += part.asString();
            }
            assertThat(rest).isEqualTo("abcdefghij");
            Message end = Await.result(client.receive());
            assertThat(end.length()).isZero();
            assertThat(end.endOfMessage()).isTrue();
            Throwable noMore = Await.failure(client.receive());
            assertThat(reasonOf(noMore)).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            assertThat(events.events()).last().isEqualTo("ReceiveError:ConnectionClosed");
            client.close();
            Await.result(client.closed());
        }
    }

    @Test
    void setPropertyFailuresNeverTerminateTheConnection_A16_CPX1() {
        try (Listener listener = echoListener()) {
            Connection client = connect(listener.port(), new ConnectionEventHandler() { });
            Await.result(client.ready());
            assertThatThrownBy(() -> client.setProperty("noSuchProperty", 1))
                    .extracting(e -> reasonOf(e)).isEqualTo(ErrorReason.INVALID_PROPERTY);
            assertThatThrownBy(() -> client.setProperty("reliability", "prohibit"))
                    .extracting(e -> reasonOf(e)).isEqualTo(ErrorReason.INVALID_PROPERTY);
            assertThatThrownBy(() -> client.setProperty("canSend", false))
                    .extracting(e -> reasonOf(e)).isEqualTo(ErrorReason.INVALID_PROPERTY);
            assertThatThrownBy(() -> client.setProperty("connPriority", "high"))
                    .extracting(e -> reasonOf(e)).isEqualTo(ErrorReason.INVALID_PROPERTY);
            client.setProperty("CONNPRIORITY", 7);
            client.setProperty(Property.CONN_CAPACITY_PROFILE, io.taps.properties.CapacityProfile.LOW_LATENCY_INTERACTIVE);
            client.setProperty("tcp.userTimeoutValue", Duration.ofSeconds(30));
            assertThat(client.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(7);
            assertThat(client.getProperties().get(Property.CONN_CAPACITY_PROFILE))
                    .isEqualTo(io.taps.properties.CapacityProfile.LOW_LATENCY_INTERACTIVE);
            Await.result(client.send("still alive"));
            assertThat(receiveText(client, "still alive".length())).isEqualTo("still alive");
            client.close();
            Await.result(client.closed());
        }
    }

    @Test
    void tcpPropertyOnUdpIsNotApplicableAndHarmless_CPX1() {
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram()).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(client.ready());
            assertThatThrownBy(() -> client.setProperty("tcp.userTimeoutEnabled", true))
                    .extracting(e -> reasonOf(e)).isEqualTo(ErrorReason.PROPERTY_NOT_APPLICABLE);
            Await.result(client.send("udp still works"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("udp still works");
            client.abort();
        }
    }

    @Test
    void getPropertiesReportsEveryPropertyAndSelectionAsBooleans_A17_C21_C22() {
        try (Listener listener = echoListener()) {
            Connection client = connect(listener.port(), new ConnectionEventHandler() { });
            ConnectionProperties establishing = client.getProperties();
            assertThat(establishing.get(Property.CONN_STATE)).isIn(ConnectionState.ESTABLISHING, ConnectionState.ESTABLISHED);
            Await.result(client.ready());
            ConnectionProperties properties = client.getProperties();
            for (Property<?> property : Property.all()) {
                if (property.kind() != PropertyKind.MESSAGE) {
                    assertThat(properties.asMap()).containsKey(property.name());
                }
            }
            assertThat(properties.asMap().get("reliability")).isEqualTo(true);
            assertThat(properties.asMap().get("preserveMsgBoundaries")).isEqualTo(false);
            assertThat(properties.asMap().get("preserveOrder")).isEqualTo(true);
            assertThat(properties.get(Property.CONN_STATE)).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(properties.get(Property.CONN_PRIORITY)).isEqualTo(100);
            assertThat(properties.get(Property.CONN_TIMEOUT).isNone()).isTrue();
            assertThat(properties.has(Property.RELIABILITY)).isTrue();
            client.abort();
        }
    }

    @Test
    void sendsBeforeReadyAreDeliveredAfterReadyAndInitiateWithSendSendsFirst_A09_A10() throws Exception {
        AtomicReference<String> peerSaw = new AtomicReference<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(
                bytes -> peerSaw.set(new String(bytes, StandardCharsets.US_ASCII))))) {
            RecordingHandler events = new RecordingHandler();
            Connection client = connectSlowly(peer.port(), events, Message.of("first,"));
            client.send("second,");
            client.send(Message.of("third").withContext(context(100, true, true)));
            Await.result(peer.done());
            assertThat(peerSaw.get()).isEqualTo("first,second,third");
            assertThat(events.events()).containsExactly("Ready", "Sent", "Sent", "Sent");
            client.abort();
        }
    }

    @Test
    void eventsRunOnTheApplicationsExecutorInOrder_Q21() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TransportServices onPool = TransportServices.builder().eventLoopThreads(1).eventExecutor(pool).build();
                Listener listener = onPool.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                        .listen(Echo::serve)) {
            Await.result(listener.ready());
            List<String> threads = new CopyOnWriteArrayList<>();
            RecordingHandler events = new RecordingHandler() {
                @Override
                public void sent(Connection connection, MessageContext context) {
                    threads.add(Thread.currentThread().getName());
                    super.sent(connection, context);
                }
            };
            Connection client = onPool.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate(events);
            List<CompletionStage<MessageContext>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sends.add(client.send(new byte[] {(byte) i}));
            }
            for (CompletionStage<MessageContext> send : sends) {
                Await.result(send);
            }
            assertThat(threads).hasSize(100).allSatisfy(name -> assertThat(name).doesNotStartWith("taps-"));
            assertThat(events.events()).first().isEqualTo("Ready");
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).last().isEqualTo("Closed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void plainPeerSeesTheExactBytes_C17() throws Exception {
        AtomicReference<byte[]> peerSaw = new AtomicReference<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(peerSaw::set))) {
            Connection client = connect(peer.port(), new ConnectionEventHandler() { });
            byte[] payload = new byte[3 * 1024 * 1024 + 17];
            new java.util.Random(42).nextBytes(payload);
            Await.result(client.send(payload));
            client.close();
            Await.result(client.closed());
            Await.result(peer.done());
            assertThat(peerSaw.get()).isEqualTo(payload);
        }
    }
}
