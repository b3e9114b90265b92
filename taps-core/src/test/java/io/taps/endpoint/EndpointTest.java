package io.taps.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9622 §6.1 endpoint construction and validation (A-02, A-03, O-02, EP-01, EP-03, C-11). */
class EndpointTest {

    private static InetAddress ip(String literal) {
        return io.netty.util.NetUtil.createInetAddressFromIpAddressString(literal);
    }

    private static void assertInvalid(ThrowingCallable call, String mentions) {
        assertThatThrownBy(call)
                .isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.INVALID_CONFIGURATION))
                .hasMessageContaining(mentions);
    }

    // ---- factories and accessors ----

    @Test
    void ofHostKeepsNameUnresolved() {
        RemoteEndpoint r = RemoteEndpoint.ofHost("example.com", 443);
        assertThat(r.hostName()).contains("example.com");
        assertThat(r.ipAddress()).isEmpty();
        assertThat(r.port()).hasValue(443);
        assertThat(r.hasPort()).isTrue();
        assertThat(r.effectivePort()).isEqualTo(443);
        assertThat(r.service()).isEmpty();
        assertThat(r.interfaceName()).isEmpty();
        assertThat(r.isMulticast()).isFalse();
        assertThat(r.hopLimit()).isEmpty();
    }

    @Test
    void ofAddressLiteralAndInetAddress() {
        RemoteEndpoint a = RemoteEndpoint.ofAddress("127.0.0.1", 80);
        RemoteEndpoint b = RemoteEndpoint.ofAddress(ip("127.0.0.1"), 80);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.hostName()).isEmpty();
        assertThat(RemoteEndpoint.ofAddress("[::1]", 7000).ipAddress()).contains(ip("::1"));
    }

    @Test
    void ofAddressRefusesHostNamesInsteadOfResolvingThem() {
        assertInvalid(() -> RemoteEndpoint.ofAddress("localhost", 80), "localhost");
        assertInvalid(() -> LocalEndpoint.ofAddress("example.com", 80), "example.com");
    }

    @Test
    void ofSocketAddress() {
        RemoteEndpoint unresolved = RemoteEndpoint.of(InetSocketAddress.createUnresolved("example.org", 25));
        assertThat(unresolved.hostName()).contains("example.org");
        assertThat(unresolved.ipAddress()).isEmpty();
        RemoteEndpoint resolved = RemoteEndpoint.of(new InetSocketAddress(ip("::1"), 9));
        assertThat(resolved.ipAddress()).contains(ip("::1"));
        assertThat(resolved.hostName()).isEmpty();
        assertThat(resolved.port()).hasValue(9);
    }

    @Test
    void ipLiteralAsHostNameBecomesIpAddress() {
        RemoteEndpoint r = RemoteEndpoint.builder().withHostName("10.1.2.3").withPort(1).build();
        assertThat(r.hostName()).isEmpty();
        assertThat(r.ipAddress()).contains(ip("10.1.2.3"));
        // and counts as the IP identifier, so an IP after it is a second one
        assertInvalid(() -> RemoteEndpoint.builder().withHostName("::1").withIpAddress("::2"),
                "WithIPAddress");
    }

    @Test
    void trailingDotAndIdnHostNames() {
        assertThat(RemoteEndpoint.ofHost("example.com.", 1).hostName()).contains("example.com.");
        assertThat(RemoteEndpoint.ofHost("bücher.example", 1).hostName()).contains("xn--bcher-kva.example");
    }

    @Test
    void localFactories() {
        LocalEndpoint ephemeral = LocalEndpoint.ofPort(0); // EP-01
        assertThat(ephemeral.port()).hasValue(0);
        assertThat(ephemeral.hasPort()).isTrue();
        assertThat(ephemeral.effectivePort()).isZero();
        LocalEndpoint any = LocalEndpoint.any();
        assertThat(any.hasPort()).isFalse();
        assertThat(any.effectivePort()).isZero();
        assertThat(any.ipAddress()).isEmpty();
        assertThat(any.isMulticast()).isFalse();
        assertThat(LocalEndpoint.ofAddress("127.0.0.1", 7).ipAddress()).contains(ip("127.0.0.1"));
        assertThat(LocalEndpoint.ofAddress(ip("::1"), 7).port()).hasValue(7);
        assertThat(LocalEndpoint.builder().withHostName("localhost").withInterface("lo").build().hostName())
                .contains("localhost");
    }

    // ---- validation table ----

    static Stream<Arguments> invalidEndpoints() {
        return Stream.of(
                Arguments.of("port above range", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a.example", 65536), "65536"),
                Arguments.of("negative port", (ThrowingCallable) () -> LocalEndpoint.ofPort(-1), "-1"),
                Arguments.of("remote port 0", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a.example", 0), "port 0"),
                Arguments.of("empty host", (ThrowingCallable) () -> RemoteEndpoint.ofHost("", 1), "empty"),
                Arguments.of("underscore", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a_b.example", 1), "a_b.example"),
                Arguments.of("space", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a b", 1), "a b"),
                Arguments.of("leading hyphen", (ThrowingCallable) () -> RemoteEndpoint.ofHost("-a.example", 1), "-a"),
                Arguments.of("trailing hyphen", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a-.example", 1), "a-"),
                Arguments.of("empty label", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a..example", 1), "a..example"),
                Arguments.of("label 64", (ThrowingCallable) () -> RemoteEndpoint.ofHost("a".repeat(64) + ".example", 1), "64"),
                Arguments.of("name over 253", (ThrowingCallable) () -> RemoteEndpoint.ofHost(
                        String.join(".", java.util.Collections.nCopies(5, "a".repeat(60))), 1), "253"),
                Arguments.of("bad IPv4 literal", (ThrowingCallable) () -> RemoteEndpoint.ofHost("256.1.1.1", 1), "256.1.1.1"),
                Arguments.of("only dot", (ThrowingCallable) () -> RemoteEndpoint.ofHost(".", 1), "no labels"),
                Arguments.of("no host nor ip", (ThrowingCallable) () -> RemoteEndpoint.builder().withPort(1).build(),
                        "host name or an IP address"),
                Arguments.of("unknown service without port", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withHostName("a.example").withService("no-such-svc").build(), "no-such-svc"),
                Arguments.of("unknown local service", (ThrowingCallable) () -> LocalEndpoint.builder()
                        .withService("no-such-svc").build(), "no-such-svc"),
                Arguments.of("service syntax", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withService("http_s"), "http_s"),
                Arguments.of("numeric service range", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withService("70000"), "70000"),
                Arguments.of("interface empty", (ThrowingCallable) () -> LocalEndpoint.builder().withInterface(""), "empty"),
                Arguments.of("interface space", (ThrowingCallable) () -> LocalEndpoint.builder().withInterface("eth 0"), "eth 0"),
                Arguments.of("second IP", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withIpAddress("127.0.0.1").withIpAddress("127.0.0.2"), "second WithIPAddress(127.0.0.2)"),
                Arguments.of("second host", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withHostName("a.example").withHostName("b.example"), "second WithHostName(b.example)"),
                Arguments.of("second port", (ThrowingCallable) () -> LocalEndpoint.builder()
                        .withPort(1).withPort(2), "second WithPort(2)"),
                Arguments.of("second service", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withService("http").withService("https"), "second WithService(https)"),
                Arguments.of("second interface", (ThrowingCallable) () -> LocalEndpoint.builder()
                        .withInterface("lo").withInterface("eth0"), "second WithInterface(eth0)"),
                Arguments.of("zone clashes with interface", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withInterface("eth1").withIpAddress("fe80::1%eth0"), "eth0"),
                Arguments.of("zone on IPv4", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withIpAddress("10.0.0.1%eth0"), "not IPv6"),
                Arguments.of("hop limit 0", (ThrowingCallable) () -> RemoteEndpoint.builder().withHopLimit(0), "hop limit 0"),
                Arguments.of("hop limit 256", (ThrowingCallable) () -> RemoteEndpoint.builder().withHopLimit(256), "256"),
                Arguments.of("second hop limit", (ThrowingCallable) () -> RemoteEndpoint.builder()
                        .withHopLimit(1).withHopLimit(2), "second WithHopLimit(2)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEndpoints")
    void invalidConfigurationIsRejectedNamingTheValue(String rule, ThrowingCallable call, String mentions) {
        assertInvalid(call, mentions);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "example.com", "A-1.example.COM", "xn--bcher-kva.example", "localhost",
            "a.b.c.d.e.f", "1a.example", "example.com."})
    void validHostNames(String name) {
        assertThat(RemoteEndpoint.ofHost(name, 1).hostName()).contains(name);
    }

    @Test
    void longestValidNameAndLabel() {
        String label63 = "a".repeat(63);
        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertThat(name253).hasSize(253);
        assertThat(RemoteEndpoint.ofHost(name253, 1).hostName()).contains(name253);
        assertThat(RemoteEndpoint.ofHost(name253 + ".", 1).hostName()).contains(name253 + ".");
    }

    @Test
    void portBoundaries() {
        assertThat(RemoteEndpoint.ofHost("a.example", 1).effectivePort()).isEqualTo(1);
        assertThat(RemoteEndpoint.ofHost("a.example", 65535).effectivePort()).isEqualTo(65535);
        assertThat(LocalEndpoint.ofPort(65535).effectivePort()).isEqualTo(65535);
    }

    // ---- scoped IPv6 literal = IP + interface ----

    @Test
    void scopedIpv6LiteralSetsAddressAndInterface() {
        RemoteEndpoint r = RemoteEndpoint.ofAddress("fe80::1%eth0", 7000);
        assertThat(r.ipAddress()).contains(ip("fe80::1"));
        assertThat(r.interfaceName()).contains("eth0");
        assertThat(r).hasToString("[fe80::1]:7000 @eth0");
        // the same interface given twice agrees with itself
        RemoteEndpoint same = RemoteEndpoint.builder().withInterface("eth0").withIpAddress("fe80::1%eth0")
                .withPort(7000).build();
        assertThat(same).isEqualTo(r);
        assertThat(LocalEndpoint.builder().withHostName("fe80::2%lo").build().interfaceName()).contains("lo");
    }

    @Test
    void secondIpAddressIsRejectedAsA02Requires() {
        RemoteEndpoint.Builder b = RemoteEndpoint.builder().withIpAddress(ip("::1"));
        assertInvalid(() -> b.withIpAddress(ip("::2")), "second WithIPAddress");
        assertInvalid(() -> LocalEndpoint.builder().withIpAddress("::1").withIpAddress("::1"),
                "second WithIPAddress");
    }

    @Test
    void differentIdentifierTypesCombine() {
        RemoteEndpoint r = RemoteEndpoint.builder().withHostName("example.com").withIpAddress("127.0.0.1")
                .withPort(8443).withService("https").withInterface("lo").build();
        assertThat(r.effectivePort()).isEqualTo(8443);
        assertThat(r).hasToString("example.com/127.0.0.1:8443 @lo");
    }

    @Test
    void toBuilderDerivesAnEndpointWithOneReplacement() {
        RemoteEndpoint base = RemoteEndpoint.ofHost("example.com", 443);
        RemoteEndpoint other = base.toBuilder().withPort(8443).build();
        assertThat(other.port()).hasValue(8443);
        assertThat(base.port()).hasValue(443); // immutable
        assertThat(other.hostName()).isEqualTo(base.hostName());
        assertInvalid(() -> base.toBuilder().withPort(1).withPort(2), "second WithPort(2)");
        LocalEndpoint local = LocalEndpoint.builder().withPort(5)
                .withAnySourceMulticastGroupIP(ip("239.1.1.1")).build();
        assertThat(local.toBuilder().build()).isEqualTo(local);
    }

    // ---- service table ----

    @ParameterizedTest
    @CsvSource({"http,80", "https,443", "domain,53", "ssh,22", "smtp,25", "submission,587", "imap,143",
            "imaps,993", "ntp,123", "HTTPS,443", "8080,8080", "1,1"})
    void serviceGivesWellKnownPort(String service, int port) {
        RemoteEndpoint r = RemoteEndpoint.builder().withHostName("example.com").withService(service).build();
        assertThat(r.hasPort()).isFalse();
        assertThat(r.port()).isEmpty();
        assertThat(r.effectivePort()).isEqualTo(port);
        assertThat(LocalEndpoint.builder().withService(service).build().effectivePort()).isEqualTo(port);
    }

    @Test
    void unknownServiceIsFineWithAnExplicitPort() {
        RemoteEndpoint r = RemoteEndpoint.builder().withHostName("example.com").withService("my-proto")
                .withPort(9000).build();
        assertThat(r.service()).contains("my-proto");
        assertThat(r.effectivePort()).isEqualTo(9000);
        assertThat(r).hasToString("example.com:9000");
        RemoteEndpoint svcOnly = RemoteEndpoint.builder().withHostName("example.com").withService("https").build();
        assertThat(svcOnly).hasToString("example.com:https");
    }

    @Test
    void remoteServiceZeroIsRejected() {
        assertInvalid(() -> RemoteEndpoint.builder().withHostName("a.example").withService("0").build(), "port 0");
        assertThat(LocalEndpoint.builder().withService("0").build().effectivePort()).isZero();
    }

    // ---- multicast (A-03, EP-03, EP-06) ----

    @Test
    void remoteMulticastGroupAndHopLimit() {
        RemoteEndpoint r = RemoteEndpoint.builder().withMulticastGroupIP(ip("239.255.0.1")).withPort(5000)
                .withHopLimit(4).build();
        assertThat(r.isMulticast()).isTrue();
        assertThat(r.hopLimit()).contains(4);
        assertThat(r).hasToString("239.255.0.1:5000 hopLimit=4");
        assertThat(RemoteEndpoint.ofAddress("ff02::1", 5000).isMulticast()).isTrue();
        assertInvalid(() -> RemoteEndpoint.builder().withMulticastGroupIP(ip("10.0.0.1")), "10.0.0.1");
    }

    @Test
    void anySourceMulticastGroup() {
        LocalEndpoint l = LocalEndpoint.builder().withPort(5000).withAnySourceMulticastGroupIP(ip("239.1.2.3"))
                .build();
        assertThat(l.isMulticast()).isTrue();
        assertThat(l.multicastGroup()).contains(ip("239.1.2.3"));
        assertThat(l.multicastSource()).isEmpty();
        assertThat(l.ipAddress()).isEmpty();
        assertThat(l).hasToString("*:5000 group=239.1.2.3");
    }

    @Test
    void singleSourceMulticastGroup() {
        LocalEndpoint l = LocalEndpoint.builder().withPort(5000)
                .withSingleSourceMulticastGroupIP(ip("ff3e::1234"), ip("2001:db8::1")).build();
        assertThat(l.multicastGroup()).contains(ip("ff3e::1234"));
        assertThat(l.multicastSource()).contains(ip("2001:db8::1"));
        assertThat(l).hasToString("*:5000 group=[ff3e::1234] source=[2001:db8::1]");
    }

    @Test
    void groupAsLocalAddressIsTheEp06Spelling() {
        LocalEndpoint l = LocalEndpoint.ofAddress("239.9.9.9", 5000);
        assertThat(l.isMulticast()).isTrue();
        assertThat(l.multicastGroup()).contains(ip("239.9.9.9"));
    }

    static Stream<Arguments> invalidMulticast() {
        return Stream.of(
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withAnySourceMulticastGroupIP(ip("10.0.0.1")), "10.0.0.1 is not a multicast"),
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withSingleSourceMulticastGroupIP(ip("232.1.1.1"), ip("2001:db8::1")), "different address families"),
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withSingleSourceMulticastGroupIP(ip("ff3e::1"), ip("10.0.0.1")), "different address families"),
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withSingleSourceMulticastGroupIP(ip("127.0.0.1"), ip("10.0.0.1")), "127.0.0.1 is not a multicast"),
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withSingleSourceMulticastGroupIP(ip("232.1.1.1"), ip("239.1.1.1")), "must be a unicast"),
                Arguments.of((ThrowingCallable) () -> LocalEndpoint.builder()
                        .withAnySourceMulticastGroupIP(ip("239.1.1.1"))
                        .withAnySourceMulticastGroupIP(ip("239.1.1.2")), "second"));
    }

    @ParameterizedTest
    @MethodSource("invalidMulticast")
    void multicastValidation(ThrowingCallable call, String mentions) {
        assertInvalid(call, mentions);
    }

    // ---- equality and toString ----

    @Test
    void toStringForms() {
        assertThat(RemoteEndpoint.ofHost("example.com", 443)).hasToString("example.com:443");
        assertThat(RemoteEndpoint.ofAddress("::1", 7000)).hasToString("[::1]:7000");
        assertThat(RemoteEndpoint.builder().withIpAddress("127.0.0.1").withPort(80).withInterface("eth0").build())
                .hasToString("127.0.0.1:80 @eth0");
        assertThat(LocalEndpoint.any()).hasToString("*");
        assertThat(LocalEndpoint.ofPort(0)).hasToString("*:0");
        assertThat(LocalEndpoint.builder().withInterface("lo").withPort(7).build()).hasToString("*:7 @lo");
    }

    @Test
    void equalsAndHashCode() {
        assertThat(RemoteEndpoint.ofHost("example.com", 443)).isEqualTo(RemoteEndpoint.ofHost("example.com", 443))
                .hasSameHashCodeAs(RemoteEndpoint.ofHost("example.com", 443))
                .isNotEqualTo(RemoteEndpoint.ofHost("example.com", 444))
                .isNotEqualTo(RemoteEndpoint.builder().withHostName("example.com").withService("https").build());
        assertThat(LocalEndpoint.ofPort(1)).isEqualTo(LocalEndpoint.ofPort(1)).isNotEqualTo(LocalEndpoint.any());
        assertThat(LocalEndpoint.any()).isEqualTo(LocalEndpoint.builder().build());
    }
}
