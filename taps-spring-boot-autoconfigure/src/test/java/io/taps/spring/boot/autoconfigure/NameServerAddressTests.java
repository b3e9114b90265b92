package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code taps.name-servers}: IPv6 servers with a port in brackets, IPv4 host:port, bare addresses
 * on port 53, and a clear failure for an unbracketed IPv6 literal that may end in a port.
 */
class NameServerAddressTests {
    private static final String KEY = "taps.name-servers[0]";

    @TempDir
    Path temp;

    @Test
    void bracketedIpv6WithPortIsTheAddressAndThePort() throws Exception {
        InetSocketAddress address = NameServerAddress.parse(KEY, "[::1]:5353");
        assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(address.getPort()).isEqualTo(5353);
    }

    @Test
    void ipv4WithPortAndBareAddressesOnPort53() throws Exception {
        assertThat(NameServerAddress.parse(KEY, "127.0.0.1:5353"))
            .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5353));
        assertThat(NameServerAddress.parse(KEY, "127.0.0.1"))
            .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53));
        assertThat(NameServerAddress.parse(KEY, "::1"))
            .isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 53));
        assertThat(NameServerAddress.parse(KEY, "[::1]"))
            .isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 53));
        assertThat(NameServerAddress.parse(KEY, "2001:4860:4860::8888").getPort()).isEqualTo(53);
        assertThat(NameServerAddress.parse(KEY, "2001:db8:0:0:0:0:0:1").getPort()).isEqualTo(53);
        assertThat(NameServerAddress.parse(KEY, " 2606:4700:4700::1111 ").getAddress())
            .isEqualTo(InetAddress.getByName("2606:4700:4700::1111"));
    }

    @Test
    void unbracketedIpv6ThatMayEndInAPortFailsSayingHowToWriteIt() {
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "::1:5353"))
            .isInstanceOfSatisfying(TapsConfigurationException.class, ex -> {
                assertThat(ex.key()).isEqualTo(KEY);
                assertThat(ex.problem()).contains("ambiguous");
                assertThat(ex.action()).contains("[::1]:5353").contains("[::1:5353]");
            });
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "fe80::1:53"))
            .isInstanceOf(TapsConfigurationException.class)
            .hasMessageContaining("ambiguous");
    }

    @Test
    void malformedEntriesFailNamingTheEntry() {
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "[::1]:99999")).hasMessageContaining(KEY)
            .hasMessageContaining("99999");
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "[::1")).hasMessageContaining("']'");
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "127.0.0.1:99999")).hasMessageContaining("'127.0.0.1:99999'");
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "127.0.0.1:dns")).hasMessageContaining("dns");
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "[::1]:dns")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> NameServerAddress.parse(KEY, "[127.0.0.1]:53")).hasMessageContaining("IPv6");
    }

    @Test
    void resolverAsksTheBracketedIpv6ServerOnItsPort() throws Exception {
        try (LoopbackDnsServer dns = LoopbackDnsServer.start("::1")) {
            connectThroughNameServer("[::1]:" + dns.port());
            assertThat(dns.queries()).isPositive();
        }
    }

    @Test
    void resolverAsksTheIpv4ServerOnItsPort() throws Exception {
        try (LoopbackDnsServer dns = LoopbackDnsServer.start("127.0.0.1")) {
            connectThroughNameServer("127.0.0.1:" + dns.port());
            assertThat(dns.queries()).isPositive();
        }
    }

    @Test
    void ambiguousNameServerFailsStartUp() {
        contextRunner().withPropertyValues("taps.name-servers=::1:5353").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("taps.name-servers[0]")
                .hasMessageContaining("ambiguous");
        });
    }

    private void connectThroughNameServer(String nameServer) throws Exception {
        Path hosts = Files.writeString(this.temp.resolve("hosts"), "");
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            contextRunner().withPropertyValues("taps.name-servers=" + nameServer, "taps.hosts-file=" + hosts)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Connection connection = context.getBean(TransportServices.class)
                        .preconnection()
                        .remote(RemoteEndpoint.ofHost("service.taps.test", peer.getLocalPort()))
                        .security(SecurityParameters.disabled())
                        .build()
                        .initiate();
                    try {
                        connection.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    }
                    finally {
                        connection.abort();
                    }
                });
        }
    }

    private static ApplicationContextRunner contextRunner() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");
    }
}
