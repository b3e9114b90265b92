package io.taps.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UDP multicast receive (ASM and SSM) and send over taps (RFC 9622 §6.1.1, RFC 9623 §10.5; EP-03,
 * EP-04, EP-06, design.md Q-14), each in a child JVM inside a throw-away network namespace with a
 * multicast-capable loopback ({@link NetnsJvm}); the host's namespace is never touched.
 */
class MulticastTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    /** The scenarios on the multicast-capable loopback: all in one child JVM, run once for the class. */
    private static final List<List<String>> LOOPBACK_SCENARIOS = List.of(
            List.of("asm", "239.1.2.3", "5000", "specifier"),
            List.of("asm", "239.4.5.6", "5001", "address"),
            List.of("ssm", "232.1.2.3", "5003", "127.0.0.2", "127.0.0.1", "specifier"),
            List.of("ssm", "232.1.2.4", "5004", "127.0.0.2", "127.0.0.1", "remote"));
    private static NetnsJvm.Result loopback;

    /** The outcome of one loopback scenario (its lines without their {@code i.} prefix). */
    private static synchronized NetnsJvm.Result run(String... args) {
        int index = LOOPBACK_SCENARIOS.indexOf(List.of(args));
        assertThat(index).as("a scenario of LOOPBACK_SCENARIOS").isNotNegative();
        if (loopback == null) {
            List<String> all = new java.util.ArrayList<>();
            for (List<String> scenario : LOOPBACK_SCENARIOS) {
                if (!all.isEmpty()) {
                    all.add("--");
                }
                all.addAll(scenario);
            }
            loopback = NetnsJvm.run(NetnsJvm.MULTICAST_LOOPBACK, MulticastScenarios.class, all, CHILD_TIMEOUT);
        }
        StringBuilder lines = new StringBuilder();
        for (String line : loopback.stdout().split("\n")) {
            if (line.startsWith(index + ".")) {
                lines.append(line.substring((index + ".").length())).append('\n');
            }
        }
        NetnsJvm.Result result = new NetnsJvm.Result(loopback.exitCode(), lines.toString(), loopback.stderr());
        assertThat(result.value("done")).as(result.describe()).isEqualTo("true");
        return result;
    }

    @Test
    void anySourceReceiveGivesOneReceiveOnlyConnectionPerSenderAndStopLeavesTheGroup_EP04_EP07() {
        NetnsJvm.Result r = run("asm", "239.1.2.3", "5000", "specifier");
        assertThat(r.value("joinedBeforeStop")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("connections")).as(r.describe()).isEqualTo("2");
        assertThat(r.value("messages")).isEqualTo("[from-a, from-b]");
        assertThat(r.value("remotesAreTheSenders")).isEqualTo("true");
        assertThat(r.value("receivedCanSend")).isEqualTo("false");
        assertThat(r.value("receivedSend")).isEqualTo("INVALID_CONFIGURATION");
        assertThat(r.value("receivedLocal")).isEqualTo("239.1.2.3");
        assertThat(r.value("senderCanReceive")).isEqualTo("false");
        assertThat(r.value("senderReceive")).isEqualTo("INVALID_CONFIGURATION");
        assertThat(r.value("twinConnections")).as("EP-07 address re-use").isEqualTo("2");
        // The TransportObserver sees the multicast Connections as it sees every other one.
        assertThat(r.value("observedReceived")).as(r.describe()).isEqualTo("4");
        assertThat(r.value("observedEstablished")).as(r.describe()).isEqualTo("2");
        assertThat(r.value("joinedWhileTwinListens")).isEqualTo("true");
        assertThat(r.value("joinedAfterStop")).as(r.describe()).isEqualTo("false");
        assertThat(r.value("messagesAfterStop")).isEqualTo("2");
    }

    @Test
    void theGroupAsLocalAddressIsTheSameAnySourceJoin_EP06() {
        NetnsJvm.Result r = run("asm", "239.4.5.6", "5001", "address");
        assertThat(r.value("joinedBeforeStop")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("connections")).isEqualTo("2");
        assertThat(r.value("joinedAfterStop")).isEqualTo("false");
    }

    /**
     * Linux does not loop IPv6 multicast back over {@code lo}, so the IPv6 case joins and sends on
     * one end of a veth pair made inside the namespace.
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void ipv6AnySourceReceiveOnANamedInterface(String transport) {
        List<String> setup = List.of("ip link set lo up", "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
                "ip link add v0 type veth peer name v1", "ip link set v0 up", "ip link set v1 up",
                // Wait (bounded) for the carrier and v1's link-local address instead of a fixed second.
                "for i in $(seq 200); do ip -6 addr show dev v1 | grep -q 'scope link'"
                        + " && ip link show v1 | grep -q LOWER_UP && break; sleep 0.01; done");
        // NIO too: Netty's NIO multicast-loop option is inverted, and only this case would show it.
        NetnsJvm.Result r = NetnsJvm.run(setup, List.of("-Dtaps.transport=" + transport), MulticastScenarios.class,
                List.of("asm", "ff1e::1234", "5002", "specifier", "v1"), CHILD_TIMEOUT);
        assertThat(r.value("done")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("joinedBeforeStop")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("connections")).isEqualTo("2");
        assertThat(r.value("messages")).isEqualTo("[from-a, from-b]");
        assertThat(r.value("joinedAfterStop")).isEqualTo("false");
    }

    @Test
    void sourceSpecificReceiveDeliversOnlyTheChosenSource_Q14() {
        NetnsJvm.Result r = run("ssm", "232.1.2.3", "5003", "127.0.0.2", "127.0.0.1", "specifier");
        assertOnlyTheSourceDelivered(r);
        assertThat(r.value("joinedAfterStop")).isEqualTo("false");
    }

    @Test
    void sourceSpecificReceiveWithTheSourceAsRemoteEndpoint_Q14() {
        NetnsJvm.Result r = run("ssm", "232.1.2.4", "5004", "127.0.0.2", "127.0.0.1", "remote");
        assertOnlyTheSourceDelivered(r);
    }

    /** An SSM run's outcome: the kernel filtered senders, and only 127.0.0.2's message arrived, on one Connection. */
    static void assertOnlyTheSourceDelivered(NetnsJvm.Result r) {
        assertThat(r.value("sourceFilter")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("messages")).as(r.describe()).isEqualTo("[from-source]");
        assertThat(r.value("connections")).isEqualTo("1");
        assertThat(r.value("remote")).isEqualTo("127.0.0.2");
    }
}
