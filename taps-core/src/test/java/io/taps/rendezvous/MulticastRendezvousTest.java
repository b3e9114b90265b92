package io.taps.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multicast Rendezvous (RFC 9622 §6.1.1, EP-05) on a multicast-capable loopback in a namespace. */
class MulticastRendezvousTest {
    @Test
    void anAnySourceGroupIsAGroupOfPeersAndASourceSpecificOneIsRefused() {
        NetnsJvm.Result result = NetnsJvm.run(NetnsJvm.MULTICAST_LOOPBACK, MulticastRendezvousScenario.class, List.of(),
                Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.value("stack")).as(result.describe()).isEqualTo("UDP multicast");
        assertThat(result.value("canSend")).as(result.describe()).isEqualTo("true canReceive=true");
        assertThat(result.value("twoHeard")).as(result.describe()).isEqualTo("true");
        assertThat(result.value("oneHeard")).as(result.describe()).isEqualTo("true");
        assertThat(result.value("ssmReason")).as(result.describe()).isEqualTo("EstablishmentFailed");
        assertThat(result.value("ssmMessage")).as(result.describe()).contains("source-specific");
    }
}
