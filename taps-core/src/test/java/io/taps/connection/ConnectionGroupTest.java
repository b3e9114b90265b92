package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.ConnectionState;
import io.taps.properties.Limit;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Connection groups and Clone over real loopback sockets (RFC 9622 §7.4, §10; checklist C-09,
 * E-08, CP-02, CP-09; design.md Q-16): a clone reuses the winner's stack,
 * address and security without a race, gets its own framer instances, shares every Connection
 * Property but connPriority, and the group closes, aborts and limits its members.
 */
class ConnectionGroupTest extends TapsTestSupport {

    /** A TCP echo Listener that also records every Connection it accepted. */
    static Listener echo(Preconnection.Builder server, List<Connection> accepted) {
        Listener listener = server.build().listen(connection -> {
            accepted.add(connection);
            Echo.serve(connection);
        });
        Await.result(listener.ready());
        return listener;
    }

    static Listener tcpEcho(List<Connection> accepted) {
        return echo(taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)), accepted);
    }

    static String roundTrip(Connection connection, String text) {
        Await.result(connection.send(text));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < text.length()) {
            echoed.append(Await.result(connection.receive()).asString());
        }
        return echoed.toString();
    }

    static Connection tcpClient(int port, RecordingHandler events) {
        Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build()
                .initiate(events);
        Await.result(connection.ready());
        return connection;
    }

    static InetSocketAddress remote(Connection connection) {
        io.taps.endpoint.RemoteEndpoint endpoint = connection.remoteEndpoint().orElseThrow();
        return new InetSocketAddress(endpoint.ipAddress().orElseThrow(), endpoint.port().orElseThrow());
    }

    /** A framer factory that counts the framers it made, so a test sees one instance per Connection. */
    static final class CountingFactory implements FramerFactory {
        final FramerFactory delegate;
        final AtomicInteger made = new AtomicInteger();

        CountingFactory(FramerFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Framer newFramer() {
            made.incrementAndGet();
            return delegate.newFramer();
        }
    }

    @Test
    void tcpCloneConnectsToTheSameAddressWithoutARaceAndBothCarryMessages() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection original = tcpClient(listener.port(), events);
            Connection clone = original.clone();
            Await.result(clone.ready());

            assertThat(clone.protocolStack()).contains("TCP");
            assertThat(remote(clone)).isEqualTo(remote(original));
            EstablishmentReport report = clone.establishmentReport();
            assertThat(report.resolutions()).as("no new resolution").isEmpty();
            assertThat(report.startedAttempts()).as("no race: one attempt").hasSize(1);
            assertThat(report.winner()).map(EstablishmentReport.Candidate::remote).contains(remote(original));
            assertThat(report.notes()).anySatisfy(note -> assertThat(note).contains("no race"));

            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 2);
            InetSocketAddress first = remote(accepted.get(0));
            InetSocketAddress second = remote(accepted.get(1));
            assertThat(second.getAddress()).isEqualTo(first.getAddress());
            assertThat(second.getPort()).as("a second transport connection").isNotEqualTo(first.getPort());
            assertThat(remote(accepted.get(1)).getPort()).isEqualTo(clone.localEndpoint().orElseThrow().port().orElseThrow());

            assertThat(roundTrip(clone, "from the clone")).isEqualTo("from the clone");
            assertThat(roundTrip(original, "from the original")).isEqualTo("from the original");

            assertThat(original.group()).isSameAs(clone.group());
            assertThat(original.groupedConnections()).containsExactly(original, clone);
            assertThat(clone.groupedConnections()).containsExactly(original, clone);
            assertThat(original.group().multiplexed()).isFalse();
            assertThat(original.group().protocolStack()).contains("TCP");
            assertThat(accepted.get(0).group()).as("each accepted Connection is in its own group")
                    .isNotSameAs(accepted.get(1).group());
            assertThat(accepted.get(0).groupedConnections()).containsExactly(accepted.get(0));

            original.closeGroup();
            Await.result(original.closed());
            Await.result(clone.closed());
            assertThat(original.groupedConnections()).isEmpty();
        }
    }

    @Test
    void tlsCloneWithAFramerGetsItsOwnFramerAndTheSameSecurity() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Preconnection.Builder server = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(TlsConnectionTest.server(TestPki.SERVER)).framer(LengthPrefixFramer.factory(4));
        try (Listener listener = echo(server, accepted)) {
            CountingFactory framers = new CountingFactory(LengthPrefixFramer.factory(4));
            Connection original = taps.preconnection().remote(RemoteEndpoint.ofHost("localhost", listener.port()))
                    .security(TlsConnectionTest.client()).framer(framers).build().initiate();
            Await.result(original.ready());
            int madeForOriginal = framers.made.get();

            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(framers.made.get()).as("the clone gets a new framer instance").isEqualTo(madeForOriginal + 1);
            assertThat(clone.protocolStack()).contains("TLS/TCP");
            assertThat(clone.negotiatedApplicationProtocol()).contains("echo/1");
            assertThat(clone.establishmentReport().winner()).map(EstablishmentReport.Candidate::peerName)
                    .contains("localhost");
            assertThat(remote(clone)).isEqualTo(remote(original));
            assertThat(clone.getProperties().has(Property.PRESERVE_MSG_BOUNDARIES)).isTrue();

            clone.send("one framed message");
            original.send("another");
            Message fromClone = Await.result(clone.receive());
            Message fromOriginal = Await.result(original.receive());
            assertThat(fromClone.asString()).isEqualTo("one framed message");
            assertThat(fromClone.endOfMessage()).isTrue();
            assertThat(fromOriginal.asString()).isEqualTo("another");
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 2);

            original.closeGroup();
            Await.result(clone.closed());
            Await.result(original.closed());
        }
    }

    @Test
    void udpCloneIsANewSocketToTheSameRemote() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Preconnection.Builder server = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram());
        try (Listener listener = echo(server, accepted)) {
            Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(original.ready());
            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(clone.protocolStack()).contains("UDP");
            assertThat(remote(clone)).isEqualTo(remote(original));
            assertThat(clone.localEndpoint().orElseThrow().port().orElseThrow())
                    .isNotEqualTo(original.localEndpoint().orElseThrow().port());

            assertThat(roundTrip(original, "datagram one")).isEqualTo("datagram one");
            assertThat(roundTrip(clone, "datagram two")).isEqualTo("datagram two");
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 2);
            assertThat(remote(accepted.get(0)).getPort()).isNotEqualTo(remote(accepted.get(1)).getPort());
            assertThat(original.groupedConnections()).containsExactly(original, clone);

            original.closeGroup();
            Await.result(original.closed());
            Await.result(clone.closed());
        }
    }

    @Test
    void connectionPropertiesAreEntangledExceptConnPriority() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            original.setProperty(Property.CONN_PRIORITY, 7);
            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(clone.getProperties().get(Property.CONN_PRIORITY)).as("copied on Clone").isEqualTo(7);

            original.setProperty("connTimeout", Timeout.of(Duration.ofSeconds(42)));
            assertThat(clone.getProperties().get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(42)));
            clone.setProperty(Property.KEEP_ALIVE_TIMEOUT, Timeout.of(Duration.ofSeconds(30)));
            assertThat(original.getProperties().get(Property.KEEP_ALIVE_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(30)));
            assertThat(original.group().sharedProperties().get(Property.KEEP_ALIVE_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(30)));
            assertThat(original.group().sharedProperties().contains(Property.CONN_PRIORITY)).isFalse();

            clone.setProperty(Property.CONN_PRIORITY, 1);
            assertThat(clone.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(1);
            assertThat(original.getProperties().get(Property.CONN_PRIORITY)).as("not entangled").isEqualTo(7);

            // Clone with overrides: connPriority only for the clone, an entangled property for the group.
            Connection third = original.clone(TransportProperties.builder().set(Property.CONN_PRIORITY, 3)
                    .set(Property.CONN_SCHEDULER, io.taps.properties.ConnectionScheduler.FCFS)
                    .build());
            Await.result(third.ready());
            assertThat(third.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(3);
            assertThat(original.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(7);
            assertThat(original.getProperties().get(Property.CONN_SCHEDULER))
                    .isEqualTo(io.taps.properties.ConnectionScheduler.FCFS);
            assertThat(third.getProperties().get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(42)));
            assertThat(original.groupedConnections()).containsExactly(original, clone, third);

            original.closeGroup();
            for (Connection member : List.of(original, clone, third)) {
                Await.result(member.closed());
            }
        }
    }

    /** An entangled change reaches each member's socket, not only its property map (CP-03 on TCP_USER_TIMEOUT). */
    @Test
    void anEntangledChangeIsAppliedToEveryMembersSocket() {
        org.junit.jupiter.api.Assumptions.assumeTrue("epoll".equals(taps.ioTransport()),
                "TCP_USER_TIMEOUT is set through the epoll transport only");
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            Connection clone = original.clone();
            Await.result(clone.ready());
            original.setProperty(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(42)));
            for (Connection member : List.of(original, clone)) {
                io.netty.channel.Channel channel = ((io.taps.internal.stack.ChannelLink)
                        ((io.taps.internal.conn.TapsConnection) member).link()).channel();
                Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
                        channel.config().getOption(io.netty.channel.epoll.EpollChannelOption.TCP_USER_TIMEOUT) == 42_000);
            }
            original.closeGroup();
            Await.result(clone.closed());
        }
    }

    /**
     * The seam a multistream stack uses for passive members (RFC 9622 §7.4: a new stream a peer
     * opened joins the group): the joining Connection takes the group's entangled values and
     * groupConnLimit applies.
     */
    @Test
    void aPassiveConnectionCanJoinAGroupAndTakesItsEntangledValues() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection first = tcpClient(listener.port(), new RecordingHandler());
            Connection second = tcpClient(listener.port(), new RecordingHandler());
            Connection third = tcpClient(listener.port(), new RecordingHandler());
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 3);
            io.taps.internal.conn.TapsConnection host = (io.taps.internal.conn.TapsConnection) accepted.get(0);
            io.taps.internal.conn.TapsConnection joining = (io.taps.internal.conn.TapsConnection) accepted.get(1);
            host.setProperty(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(9)));
            host.setProperty(Property.GROUP_CONN_LIMIT, Limit.of(2));
            joining.setProperty(Property.CONN_PRIORITY, 4);

            assertThat(joining.joinGroup(host.connectionGroup())).isNull();
            assertThat(joining.group()).isSameAs(host.group());
            assertThat(host.groupedConnections()).containsExactly(host, joining);
            assertThat(joining.getProperties().get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(9)));
            assertThat(joining.getProperties().get(Property.CONN_PRIORITY)).as("not entangled").isEqualTo(4);
            assertThat(taps.connectionGroups()).filteredOn(group -> group.connections().contains(joining))
                    .as("listed once, in the group it joined").containsExactly(host.group());

            io.taps.internal.conn.TapsConnection full = (io.taps.internal.conn.TapsConnection) accepted.get(2);
            TransportServicesException refused = full.joinGroup(host.connectionGroup());
            assertThat(refused).isNotNull();
            assertThat(refused.reason()).isEqualTo(ErrorReason.NOT_CLONEABLE);
            assertThat(full.group()).isNotSameAs(host.group());

            for (Connection client : List.of(first, second, third)) {
                client.close();
                Await.result(client.closed());
            }
        }
    }

    @Test
    void cloneRefusesADifferentSelectionProperty() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            assertThatThrownBy(() -> original.clone(TransportProperties.builder()
                    .set(Property.RELIABILITY, Preference.PROHIBIT).build()))
                    .isInstanceOf(TransportServicesException.class)
                    .extracting(e -> ((TransportServicesException) e).reason()).isEqualTo(ErrorReason.INVALID_PROPERTY);
            assertThat(original.groupedConnections()).containsExactly(original);
            original.close();
            Await.result(original.closed());
        }
    }

    @Test
    void closeGroupClosesEveryMemberAndAbortGroupAbortsEveryMember() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            RecordingHandler originalEvents = new RecordingHandler();
            Connection original = tcpClient(listener.port(), originalEvents);
            Connection clone = original.clone();
            Await.result(clone.ready());
            RecordingHandler cloneEvents = new RecordingHandler();
            clone.setEventHandler(cloneEvents);
            clone.closeGroup();
            Await.result(original.closed());
            Await.result(clone.closed());
            assertThat(originalEvents.events()).endsWith("Closed");
            assertThat(cloneEvents.events()).containsExactly("Closed");

            RecordingHandler secondEvents = new RecordingHandler();
            Connection second = tcpClient(listener.port(), secondEvents);
            Connection secondClone = second.clone();
            Await.result(secondClone.ready());
            RecordingHandler secondCloneEvents = new RecordingHandler();
            secondClone.setEventHandler(secondCloneEvents);
            second.abortGroup();
            assertThat(Await.failure(second.closed())).isInstanceOf(TransportServicesException.class);
            assertThat(Await.failure(secondClone.closed())).isInstanceOf(TransportServicesException.class);
            assertThat(secondEvents.events()).endsWith("ConnectionError:LocalAbort");
            assertThat(secondCloneEvents.events()).containsExactly("ConnectionError:LocalAbort");
        }
    }

    @Test
    void closingOneMemberLeavesTheOthersOpen() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            Connection clone = original.clone();
            Await.result(clone.ready());
            original.close();
            Await.result(original.closed());
            assertThat(clone.state()).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(clone.groupedConnections()).containsExactly(clone);
            assertThat(roundTrip(clone, "still here")).isEqualTo("still here");
            clone.close();
            Await.result(clone.closed());
        }
    }

    /** groupConnLimit bounds what the peer opens in the group (RFC 9622 §8.1.9), never local clones. */
    @Test
    void groupConnLimitDoesNotLimitLocalClones() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection original = tcpClient(listener.port(), events);
            original.setProperty(Property.GROUP_CONN_LIMIT, Limit.of(2));
            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(clone.getProperties().get(Property.GROUP_CONN_LIMIT)).isEqualTo(Limit.of(2));
            Connection third = clone.clone();
            Await.result(third.ready());
            assertThat(original.groupedConnections()).containsExactly(original, clone, third);
            assertThat(roundTrip(third, "three in a group of limit two")).isEqualTo("three in a group of limit two");
            assertThat(events.events()).noneMatch(event -> event.startsWith("CloneError"));
            original.closeGroup();
            Await.result(third.closed());
        }
    }

    @Test
    void cloneAfterCloseFailsAsNotCloneable() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            original.close();
            Await.result(original.closed());
            RecordingHandler cloneEvents = new RecordingHandler();
            Connection clone = original.clone();
            clone.setEventHandler(cloneEvents);
            Throwable failure = Await.failure(clone.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.NOT_CLONEABLE);
            assertThat(failure).hasMessageContaining("closed");
            assertThat(clone.state()).isEqualTo(ConnectionState.CLOSED);
            assertThat(accepted).hasSize(1);
        }
    }

    @Test
    void aConnectionAListenerAcceptedCannotBeCloned() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 1);
            Connection serverSide = accepted.get(0);
            RecordingHandler serverEvents = new RecordingHandler();
            serverSide.setEventHandler(serverEvents);
            Connection clone = serverSide.clone();
            Throwable failure = Await.failure(clone.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.NOT_CLONEABLE);
            assertThat(failure).hasMessageContaining("Listener accepted");
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> serverEvents.events().contains("CloneError:NotCloneable"));
            original.close();
            Await.result(original.closed());
        }
    }

    @Test
    void aFailingCloneRaisesEstablishmentErrorOnTheCloneAndCloneErrorOnTheOriginal() throws Exception {
        // A plain server that accepts one connection, then stops listening: the clone is refused.
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            RecordingHandler events = new RecordingHandler();
            Connection original = tcpClient(server.getLocalPort(), events);
            Socket peer = server.accept();
            server.close();
            Connection clone = original.clone();
            Throwable failure = Await.failure(clone.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> events.events().contains("CloneError:EstablishmentFailed"));
            assertThat(clone.establishmentReport().startedAttempts()).singleElement()
                    .extracting(EstablishmentReport.Attempt::outcome).isEqualTo(EstablishmentReport.Outcome.FAILED);
            assertThat(original.state()).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(original.groupedConnections()).containsExactly(original);
            peer.close();
            original.abort();
        }
    }

    @Test
    void cloneWithAFramerUsesTheNewFramerInsteadOfTheOriginals() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, java.net.InetAddress.getByName("127.0.0.1"))) {
            Connection original = tcpClient(server.getLocalPort(), new RecordingHandler());
            Socket plain = server.accept();
            Connection clone = original.clone(LengthPrefixFramer.factory(4), null);
            Socket framed = server.accept();
            Await.result(clone.ready());
            Await.result(original.send("raw"));
            Await.result(clone.send("framed"));
            InputStream rawIn = plain.getInputStream();
            byte[] raw = rawIn.readNBytes(3);
            assertThat(new String(raw, StandardCharsets.UTF_8)).isEqualTo("raw");
            DataInputStream framedIn = new DataInputStream(framed.getInputStream());
            assertThat(framedIn.readInt()).as("4-byte length prefix").isEqualTo(6);
            byte[] body = new byte[6];
            framedIn.readFully(body);
            assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("framed");
            assertThat(clone.getProperties().has(Property.PRESERVE_MSG_BOUNDARIES)).isTrue();
            // A clone of the clone keeps the clone's framer.
            Connection cloneOfClone = clone.clone();
            Socket framedAgain = server.accept();
            Await.result(cloneOfClone.ready());
            Await.result(cloneOfClone.send("again"));
            DataInputStream againIn = new DataInputStream(framedAgain.getInputStream());
            assertThat(againIn.readInt()).isEqualTo(5);
            original.abortGroup();
            plain.close();
            framed.close();
            framedAgain.close();
        }
    }

    @Test
    void transportServicesListsLiveGroupsAndDropsThemWhenTheirMembersClosed() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpEcho(accepted)) {
            Connection original = tcpClient(listener.port(), new RecordingHandler());
            ConnectionGroup group = original.group();
            assertThat(group.id()).matches("g-\\d+");
            assertThat(taps.connectionGroups()).contains(group);
            Connection clone = original.clone();
            Await.result(clone.ready());
            assertThat(taps.connectionGroups()).filteredOn(g -> g.id().equals(group.id())).singleElement()
                    .satisfies(g -> assertThat(g.connections()).containsExactly(original, clone));
            assertThat(taps.connections()).contains(original, clone);
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 2);
            assertThat(taps.connectionGroups()).as("each accepted Connection has its own group")
                    .contains(accepted.get(0).group(), accepted.get(1).group());
            assertThat(taps.connectionGroups().stream().map(ConnectionGroup::id).distinct().count())
                    .isEqualTo(taps.connectionGroups().size());

            original.close();
            Await.result(original.closed());
            assertThat(taps.connectionGroups()).contains(group);
            clone.close();
            Await.result(clone.closed());
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !taps.connectionGroups().contains(group));
            assertThat(taps.connections()).doesNotContain(original, clone);
        }
    }
}
