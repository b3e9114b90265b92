package io.taps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Initiates of one Preconnection take what configuration answers for its RemoteEndpoints (a
 * hosts-file name, {@code localhost}, an address literal) once per Preconnection snapshot instead
 * of resolving the name again per Connection (issue 21 item 1), and every Connection still races
 * both families, reports the AAAA and A answers and wins on [::1] as before. A JDK server socket on
 * the dual-stack wildcard address is the peer (neither taps nor Netty).
 */
class FixedAnswersPerPreconnectionTest {
    private static final String NAME = "both.fixed.test";
    private static final ConnectionEventHandler NO_EVENTS = new ConnectionEventHandler() { };

    private static ServerSocket server;
    private static final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private static Path hosts;
    private static Engine engine;

    @BeforeAll
    static void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("::"));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException closed) {
                // the server socket closed: the test is over
            }
        }, "fixed-answers-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        hosts = Files.createTempFile("fixed-answers-hosts", "");
        Files.writeString(hosts, "127.0.0.1 " + NAME + "\n::1 " + NAME + "\n");
        engine = new Engine(new EngineConfig(1, true, List.of(), hosts, Runnable::run, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() throws IOException {
        engine.close();
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        Files.deleteIfExists(hosts);
    }

    /** The engine's resolver, which counts what it answers (Engine keeps it private). */
    private static EndpointResolver resolver() {
        try {
            java.lang.reflect.Field field = Engine.class.getDeclaredField("resolver");
            field.setAccessible(true);
            return (EndpointResolver) field.get(engine);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static PreconnectionSpec spec(String host) {
        return new PreconnectionSpec(List.of(), List.of(RemoteEndpoint.ofHost(host, server.getLocalPort())),
                TransportProperties.reliableInorderStream(), SecurityParameters.disabled());
    }

    private static EstablishmentReport connectAndClose(PreconnectionSpec spec) {
        Connection connection = engine.initiate(spec, null, NO_EVENTS, null);
        Await.result(connection.ready());
        EstablishmentReport report = connection.establishmentReport();
        connection.abort();
        return report;
    }

    @Test
    void initiatesOfOnePreconnectionTakeTheHostsFileAnswerOnceAndStillRaceBothFamilies() {
        long before = resolver().fixedAnswersMade();
        long lookupsBefore = resolver().configuredLookups();
        PreconnectionSpec spec = spec(NAME);
        for (int i = 0; i < 3; i++) {
            EstablishmentReport report = connectAndClose(spec);
            // What the completed per-family answers gave before: AAAA then A, one address each.
            assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family)
                    .containsExactly("AAAA", "A");
            assertThat(report.resolutions()).allSatisfy(resolution -> {
                assertThat(resolution.name()).isEqualTo(NAME);
                assertThat(resolution.answers()).isEqualTo(1);
                assertThat(resolution.error()).isNull();
            });
            // The tree has both families, [::1] first (RFC 6724), and [::1] wins.
            List<InetSocketAddress> addresses = report.tree().get(0).stacks().get(0).addresses();
            assertThat(addresses).extracting(a -> a.getAddress().getHostAddress())
                    .containsExactly("0:0:0:0:0:0:0:1", "127.0.0.1");
            assertThat(report.winner().orElseThrow().remote().getAddress().getHostAddress())
                    .isEqualTo("0:0:0:0:0:0:0:1");
        }
        // Once for the snapshot, and no per-Initiate lookup (before: AAAA and A per Initiate, 6).
        assertThat(resolver().fixedAnswersMade() - before).isEqualTo(1);
        assertThat(resolver().configuredLookups() - lookupsBefore).isZero();

        // Another Preconnection (snapshot) takes its own: nothing is shared across Preconnections.
        connectAndClose(spec(NAME));
        assertThat(resolver().fixedAnswersMade() - before).isEqualTo(2);
    }

    @Test
    void localhostIsAnsweredPerPreconnectionToo() {
        long before = resolver().fixedAnswersMade();
        long lookupsBefore = resolver().configuredLookups();
        PreconnectionSpec spec = spec("localhost");
        for (int i = 0; i < 2; i++) {
            EstablishmentReport report = connectAndClose(spec);
            assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family)
                    .containsExactly("AAAA", "A");
        }
        assertThat(resolver().fixedAnswersMade() - before).isEqualTo(1);
        assertThat(resolver().configuredLookups() - lookupsBefore).isZero();
    }

    @Test
    void aNameConfigurationDoesNotAnswerIsNotFixedAndALiteralIs() {
        // No name server and not in the hosts file: DNS would be asked (and its TTL honoured), so nothing is fixed.
        assertThat(resolver().fixedAnswer(RemoteEndpoint.ofHost("dns.only.test", 443))).isNull();
        assertThat(resolver().fixedAnswer(RemoteEndpoint.ofAddress("127.0.0.1", 443)).v6())
                .containsExactly(new InetSocketAddress("127.0.0.1", 443));
        // Named and addressed: answered per family under its name, as establishment reports it.
        EndpointResolver.FixedAnswer named = resolver().fixedAnswer(RemoteEndpoint.ofHost("named.test", 443)
                .toBuilder().withIpAddress("127.0.0.1").build());
        assertThat(named.name()).isEqualTo("named.test");
        assertThat(named.v6()).isEmpty();
        assertThat(named.v4()).containsExactly(new InetSocketAddress("127.0.0.1", 443));
        // A link-local literal with an interface needs the interface's zone: looked up per Initiate.
        assertThat(resolver().fixedAnswer(RemoteEndpoint.ofAddress("fe80::1", 443).toBuilder()
                .withInterface("lo").build())).isNull();
    }
}
