package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.DebianPackages;
import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HTTPS records from a real DNS server (RFC 9460; RFC 9623 §4.2; draft-ietf-happy-happyeyeballs-v3):
 * dnsmasq, started inside a throw-away network namespace by {@link ServiceBindingScenarios}, serves
 * {@code dns-rr=svc.test,65,HEX}. The record's alpn names the application's ALPN, its port and IPv6
 * hint lead to a QUIC listener nothing else points at: QUIC is attempted first and wins there. A
 * name without a record gets today's race and report.
 */
class ServiceBindingNamespaceTest {

    @Test
    void dnsmasqHttpsRecordSendsQuicFirstToItsPortAndHintAndANameWithoutOneRacesAsToday() {
        NetnsJvm.assumeAvailable();
        // dnsmasq-base: the binary alone, without the package that would start a system-wide daemon.
        DebianPackages.require("dnsmasq", "dnsmasq-base");
        NetnsJvm.Result r = NetnsJvm.run(List.of("ip link set lo up"), ServiceBindingScenarios.class, List.of(),
                Duration.ofSeconds(90));
        assertThat(r.value("done")).as(r.describe()).isEqualTo("true");
        String quic = r.value("quicPort");
        assertThat(r.value("recordStack")).as(r.describe()).isEqualTo("QUIC");
        assertThat(r.value("recordFirst")).as(r.describe()).isEqualTo("QUIC [::1]:" + quic);
        assertThat(r.value("recordWinner")).as(r.describe()).isEqualTo("QUIC [::1]:" + quic);
        // The hint (no AAAA exists) and the A answer, both at the record's port; TLS/TCP at the origin's.
        assertThat(r.value("recordTree")).as(r.describe())
                .isEqualTo("QUIC[[::1]:" + quic + ", 127.0.0.1:" + quic + "];TLS/TCP[127.0.0.1:443]");
        assertThat(r.value("recordEchNoted")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("recordEcho")).isEqualTo("svcb");

        assertThat(r.value("plainStack")).as(r.describe()).isEqualTo("TLS/TCP");
        assertThat(r.value("plainStarted")).as(r.describe())
                .isEqualTo("QUIC 127.0.0.1:443,TLS/TCP 127.0.0.1:443");
        assertThat(r.value("plainTree")).isEqualTo("QUIC[127.0.0.1:443];TLS/TCP[127.0.0.1:443]");
        assertThat(r.value("plainFamilies")).isEqualTo("A,AAAA");
        assertThat(r.value("plainNotes")).isEqualTo("0");
    }
}
