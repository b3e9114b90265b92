package io.taps.internal.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.ReflectiveChannelFactory;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.testing.DnsFixture;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTPS RDATA parsing with dnsjava (RFC 9460 §2, §7, §8) and the query name (§9.1), and the
 * resolver's HTTPS lookup with its cache against {@link DnsFixture}.
 */
class ServiceBindingParseTest {

    private static ServiceBinding parse(String presentation, List<String> skipped) throws Exception {
        return ServiceBinding.parse("example.test", DnsFixture.httpsRdata("example.test", presentation), skipped);
    }

    @Test
    void serviceModeRecordGivesAlpnPortHintsAndEchLength() throws Exception {
        ServiceBinding b = parse("2 . alpn=h3,h2 port=8443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1 ech=AEX+DQBBpQAgACD7",
                new ArrayList<>());
        assertThat(b.priority()).isEqualTo(2);
        assertThat(b.alpn()).containsExactly("h3", "h2");
        assertThat(b.defaultAlpn()).isTrue();
        assertThat(b.port()).isEqualTo(8443);
        assertThat(b.ipv4Hints()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(b.ipv6Hints()).containsExactly(InetAddress.getByName("2001:db8::1"));
        assertThat(b.echConfigBytes()).isEqualTo(12);
        assertThat(b.describe()).contains("ech config of 12 bytes");
    }

    @Test
    void aliasModeOtherTargetsAndUnknownMandatoryKeysAreSkippedWithAReason() throws Exception {
        List<String> skipped = new ArrayList<>();
        assertThat(parse("0 other.example.", skipped)).isNull();
        assertThat(parse("1 pool.example. alpn=h3", skipped)).isNull();
        assertThat(parse("1 . mandatory=key999 alpn=h3 key999=abc", skipped)).isNull();
        assertThat(parse("1 . alpn=h3 no-default-alpn", skipped).defaultAlpn()).isFalse();
        assertThat(skipped).hasSize(3);
        assertThat(skipped.get(0)).contains("AliasMode");
        assertThat(skipped.get(1)).contains("another target");
        assertThat(skipped.get(2)).contains("mandatory key 999");
    }

    @Test
    void malformedRdataIsAnError() {
        assertThatThrownBy(() -> ServiceBinding.parse("example.test", new byte[] {0, 1, 5, 'a'}, new ArrayList<>()))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void theQueryNameCarriesThePortUnless443() {
        assertThat(ServiceBindingResolver.queryName("example.test", 443)).isEqualTo("example.test.");
        assertThat(ServiceBindingResolver.queryName("example.test.", 8443)).isEqualTo("_8443._https.example.test.");
    }

    @Test
    void lookupsAreCachedForTheirTtlUnlessIsolatedAndIpLiteralsAskNothing() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (DnsFixture dns = DnsFixture.start();
                EndpointResolver resolver = new EndpointResolver(group.next(),
                        new ReflectiveChannelFactory<>(NioDatagramChannel.class), dns.forFixture())) {
            dns.a("cached.test", "127.0.0.1").https("cached.test", "1 . alpn=h3 port=9443");
            RemoteEndpoint remote = RemoteEndpoint.ofHost("cached.test", 443);
            ServiceLookup first = resolver.serviceBinding(remote, true).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(first.binding().port()).isEqualTo(9443);
            resolver.serviceBinding(remote, true).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(dns.queryCount("cached.test", io.netty.handler.codec.dns.DnsRecordType.HTTPS))
                    .as("the second answer came from the cache").isEqualTo(1);
            resolver.serviceBinding(remote, false).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(dns.queryCount("cached.test", io.netty.handler.codec.dns.DnsRecordType.HTTPS))
                    .as("isolated: asked again").isEqualTo(2);
            ServiceLookup none = resolver.serviceBinding(RemoteEndpoint.ofAddress("127.0.0.1", 443), true)
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(none.binding()).isNull();
            ServiceLookup missing = resolver.serviceBinding(RemoteEndpoint.ofHost("nothing.test", 443), true)
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(missing.answers()).as("NXDOMAIN is no record, not a failure").isZero();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
