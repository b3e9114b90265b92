package io.taps.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.NetnsJvm;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rendezvous (RFC 9622 §7.3) between two child JVMs behind real NATs ({@link NatTopology}): the
 * test is the application's signalling channel, passing each side's candidates and credentials to
 * the other; the STUN server is {@link PlainStunResponder}, which shares no code with taps.
 */
class RendezvousNatTest {
    private static NatTopology topology;

    @BeforeAll
    static void buildTopology() {
        topology = new NatTopology();
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
    }

    /** Two running peers after signalling. */
    private record Pair(PeerProcess a, PeerProcess b, String candidatesA, String candidatesB) {
        String describe() {
            return "--- A\n" + a.finish(1) + "\n--- B\n" + b.finish(1);
        }
    }

    private static Pair rendezvous(String transport, String nsA, int portA, String nsB, int portB, long timeoutMillis,
            int messages, long trickleMillis) {
        PeerProcess a = new PeerProcess(NetnsJvm.start(nsA, RendezvousPeer.class, List.of(transport,
                Integer.toString(portA), "stun", Long.toString(timeoutMillis), Integer.toString(messages), "pinger"),
                NatTopology.tempFile("a")));
        PeerProcess b = new PeerProcess(NetnsJvm.start(nsB, RendezvousPeer.class, List.of(transport,
                Integer.toString(portB), "stun", Long.toString(timeoutMillis), Integer.toString(messages), "echoer"),
                NatTopology.tempFile("b")));
        String candidatesA = a.line("candidates=", 30);
        String candidatesB = b.line("candidates=", 30);
        assertThat(candidatesA).as("A's candidates").isNotNull();
        assertThat(candidatesB).as("B's candidates").isNotNull();
        a.send("peer=" + candidatesB + "|" + trickleMillis);
        b.send("peer=" + candidatesA + "|" + trickleMillis);
        return new Pair(a, b, candidatesA, candidatesB);
    }

    private static String srflx(String candidates) {
        return candidates.split("\\|", -1)[2];
    }

    private static String hosts(String candidates) {
        return candidates.split("\\|", -1)[1];
    }

    @Test
    void udpThroughTwoPortPreservingNatsExchangesAThousandMessages() {
        Pair peers = rendezvous("udp", topology.peerA, 40001, topology.peerB, 40002, 10_000, 1000, 0);
        String resultA = peers.a().line("result=", 40);
        String resultB = peers.b().line("result=", 40);
        String exchangedA = peers.a().line("exchanged=", 60);
        String exchangedB = peers.b().line("exchanged=", 60);
        String log = peers.describe();
        assertThat(srflx(peers.candidatesA())).as(log).isEqualTo("203.0.113.2:40001");
        assertThat(srflx(peers.candidatesB())).as(log).isEqualTo("203.0.113.3:40002");
        assertThat(resultA).as(log).isEqualTo("done");
        assertThat(resultB).as(log).isEqualTo("done");
        assertThat(peers.a().value("stack")).as(log).isEqualTo("UDP");
        assertThat(peers.a().value("winnerRemote")).as(log).isEqualTo("203.0.113.3:40002");
        assertThat(peers.b().value("winnerRemote")).as(log).isEqualTo("203.0.113.2:40001");
        assertThat(peers.a().value("winnerPath")).as(log).isEqualTo("host 10.1.0.2:40001");
        assertThat(exchangedA).as(log).isEqualTo("1000");
        assertThat(exchangedB).as(log).isEqualTo("1000");
        assertThat(peers.a().value("digest")).as(log).isEqualTo(peers.b().value("digest"));
        assertThat(peers.a().value("report")).as("every pair in the report: " + log).contains("10.2.0.2:40002")
                .contains("203.0.113.3:40002");
    }

    @Test
    void peersOnTheSameLanUseTheirHostCandidates() {
        Pair peers = rendezvous("udp", topology.peerA, 40011, topology.peerA2, 40012, 10_000, 10, 0);
        String resultA = peers.a().line("result=", 40);
        String resultB = peers.b().line("result=", 40);
        peers.a().line("exchanged=", 30);
        String log = peers.describe();
        assertThat(resultA).as(log).isEqualTo("done");
        assertThat(resultB).as(log).isEqualTo("done");
        assertThat(peers.a().value("winnerPath")).as(log).isEqualTo("host 10.1.0.2:40011");
        assertThat(peers.a().value("winnerRemote")).as(log).isEqualTo("10.1.0.3:40012");
        assertThat(peers.a().value("winnerType")).as(log).isEqualTo("host");
        assertThat(peers.b().value("winnerRemote")).as(log).isEqualTo("10.1.0.2:40011");
        assertThat(peers.a().value("exchanged")).as(log).isEqualTo("10");
    }

    @Test
    void symmetricNatsFailWithAnEstablishmentErrorNamingTheReason() {
        topology.symmetric(true);
        try {
            Pair peers = rendezvous("udp", topology.peerA, 40021, topology.peerB, 40022, 3_000, 0, 0);
            String resultA = peers.a().line("result=", 40);
            String resultB = peers.b().line("result=", 40);
            String log = peers.describe();
            assertThat(srflx(peers.candidatesA())).as("the NAT randomises the port: " + log)
                    .isNotEqualTo("203.0.113.2:40021");
            assertThat(resultA).as(log).isEqualTo("error");
            assertThat(resultB).as(log).isEqualTo("error");
            assertThat(peers.a().value("reason")).as(log).isEqualTo("EstablishmentFailed");
            assertThat(peers.a().value("message")).as(log).contains("Symmetric NAT").contains("does not preserve ports")
                    .contains("TURN");
        } finally {
            topology.symmetric(false);
        }
    }

    @Test
    void candidatesTrickledAfterTheRendezvousBeganStillConnect() {
        Pair peers = rendezvous("udp", topology.peerA, 40031, topology.peerB, 40032, 10_000, 10, 1500);
        String resultA = peers.a().line("result=", 40);
        String resultB = peers.b().line("result=", 40);
        peers.a().line("exchanged=", 30);
        String log = peers.describe();
        assertThat(resultA).as(log).isEqualTo("done");
        assertThat(resultB).as(log).isEqualTo("done");
        assertThat(peers.a().value("winnerRemote")).as(log).isEqualTo("203.0.113.3:40032");
        assertThat(peers.a().value("notes")).as(log).contains("trickled");
        assertThat(peers.a().value("exchanged")).as(log).isEqualTo("10");
    }

    @Test
    void tcpSimultaneousOpenThroughTwoPortPreservingNats() {
        Pair peers = rendezvous("tcp", topology.peerA, 40041, topology.peerB, 40042, 10_000, 200, 0);
        String resultA = peers.a().line("result=", 40);
        String resultB = peers.b().line("result=", 40);
        peers.a().line("exchanged=", 30);
        peers.b().line("exchanged=", 30);
        String log = peers.describe();
        assertThat(resultA).as(log).isEqualTo("done");
        assertThat(resultB).as(log).isEqualTo("done");
        assertThat(peers.a().value("stack")).as(log).isEqualTo("TCP");
        assertThat(peers.a().value("winnerRemote")).as(log).isEqualTo("203.0.113.3:40042");
        assertThat(peers.b().value("winnerRemote")).as(log).isEqualTo("203.0.113.2:40041");
        assertThat(peers.a().value("notes")).as(log).contains("simultaneous open");
        assertThat(peers.a().value("exchanged")).as(log).isEqualTo("200");
        assertThat(peers.b().value("exchanged")).as(log).isEqualTo("200");
        assertThat(peers.a().value("digest")).as(log).isEqualTo(peers.b().value("digest"));
    }
}
