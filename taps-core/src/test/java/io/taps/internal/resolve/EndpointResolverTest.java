package io.taps.internal.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.NetUtil;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.testing.DnsFixture;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EndpointResolver against a real DNS server on loopback UDP (RFC 9622 §6.1 late resolution; C-11,
 * EP-01, EP-02, M-75). Every resolver here points at {@link DnsFixture}; the machine's configured
 * resolver is never asked.
 */
class EndpointResolverTest {

    private static EventLoopGroup group;
    private DnsFixture dns;
    private final List<EndpointResolver> resolvers = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startDns() {
        dns = DnsFixture.start();
    }

    @AfterEach
    void stopAll() {
        resolvers.forEach(EndpointResolver::close);
        dns.close();
    }

    private EndpointResolver resolver(ResolverConfig config) {
        EndpointResolver r = new EndpointResolver(group.next(), NioDatagramChannel::new, config);
        resolvers.add(r);
        return r;
    }

    private EndpointResolver resolver() {
        return resolver(dns.forFixture());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static TransportServicesException failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportServicesException.class);
            return (TransportServicesException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("stage completed normally");
    }

    private static InetSocketAddress sa(String literal, int port) {
        return new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(literal), port);
    }

    private Path hostsFile(String content) throws IOException {
        Path file = tmp.resolve("hosts");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void aRecordsOnly() throws Exception {
        dns.a("v4.taps.test", "127.0.0.2", "127.0.0.3");
        assertThat(await(resolver().resolve(RemoteEndpoint.ofHost("v4.taps.test", 80))))
                .containsExactly(sa("127.0.0.2", 80), sa("127.0.0.3", 80));
        assertThat(dns.queryCount("v4.taps.test", DnsRecordType.A)).isEqualTo(1);
        assertThat(dns.queryCount("v4.taps.test", DnsRecordType.AAAA)).isEqualTo(1);
    }

    @Test
    void aaaaRecordsOnly() throws Exception {
        dns.aaaa("v6.taps.test", "::1", "fd00::2");
        assertThat(await(resolver().resolve(RemoteEndpoint.ofHost("v6.taps.test", 443))))
                .containsExactly(sa("::1", 443), sa("fd00::2", 443));
    }

    @Test
    void bothFamiliesInterleaveIpv6First() throws Exception {
        dns.a("both.taps.test", "127.0.0.1", "127.0.0.2", "127.0.0.3")
                .aaaa("both.taps.test", "::1", "fd00::2");
        assertThat(await(resolver().resolve(RemoteEndpoint.ofHost("both.taps.test", 7000))))
                .containsExactly(sa("::1", 7000), sa("127.0.0.1", 7000), sa("fd00::2", 7000),
                        sa("127.0.0.2", 7000), sa("127.0.0.3", 7000));
    }

    @Test
    void serviceSuppliesThePortAndTrailingDotIsTheSameName() throws Exception {
        dns.a("svc.taps.test", "127.0.0.1");
        RemoteEndpoint r = RemoteEndpoint.builder().withHostName("svc.taps.test.").withService("https").build();
        assertThat(await(resolver().resolve(r))).containsExactly(sa("127.0.0.1", 443));
    }

    @Test
    void perFamilyResolution() throws Exception {
        dns.a("fam.taps.test", "127.0.0.1").aaaa("fam.taps.test", "::1");
        EndpointResolver r = resolver();
        RemoteEndpoint remote = RemoteEndpoint.ofHost("fam.taps.test", 1);
        assertThat(await(r.resolve(remote, StandardProtocolFamily.INET6))).containsExactly(sa("::1", 1));
        assertThat(await(r.resolve(remote, StandardProtocolFamily.INET))).containsExactly(sa("127.0.0.1", 1));
        assertThat(await(r.resolve(RemoteEndpoint.ofAddress("::1", 1), StandardProtocolFamily.INET))).isEmpty();
    }

    @Test
    void nxdomainFailsWithResolutionFailed() {
        TransportServicesException e = failure(resolver().resolve(RemoteEndpoint.ofHost("nx.taps.test", 80)));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(e).hasMessageContaining("could not resolve nx.taps.test");
        assertThat(dns.queryCount("nx.taps.test", DnsRecordType.A)).isEqualTo(1);
    }

    @Test
    void nameWithoutAnyAddressRecordFails() {
        dns.a("empty.taps.test"); // exists, but NODATA for both families
        TransportServicesException e = failure(resolver().resolve(RemoteEndpoint.ofHost("empty.taps.test", 80)));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
    }

    @Test
    void aFamilyThatNeverAnswersIsLeftOutAfterTheQueryTimeout() throws Exception {
        dns.a("slow6.taps.test", "127.0.0.1").aaaa("slow6.taps.test", "::1")
                .delay("slow6.taps.test", DnsRecordType.AAAA, Duration.ofSeconds(30));
        EndpointResolver r = resolver(dns.forFixture().toBuilder().queryTimeout(Duration.ofMillis(300)).build());
        long start = System.nanoTime();
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("slow6.taps.test", 80))))
                .containsExactly(sa("127.0.0.1", 80));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(dns.queryCount("slow6.taps.test", DnsRecordType.AAAA)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void noFamilyAnsweringWithinTheTimeoutFails() {
        dns.a("slow.taps.test", "127.0.0.1").aaaa("slow.taps.test", "::1")
                .delay("slow.taps.test", DnsRecordType.A, Duration.ofSeconds(30))
                .delay("slow.taps.test", DnsRecordType.AAAA, Duration.ofSeconds(30));
        EndpointResolver r = resolver(dns.forFixture().toBuilder().queryTimeout(Duration.ofMillis(300)).build());
        TransportServicesException e = failure(r.resolve(RemoteEndpoint.ofHost("slow.taps.test", 80)));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(e).hasMessageContaining("slow.taps.test");
    }

    @Test
    void delayShorterThanTheTimeoutStillAnswers() throws Exception {
        dns.a("late.taps.test", "127.0.0.1").delay("late.taps.test", DnsRecordType.A, Duration.ofMillis(200));
        assertThat(await(resolver().resolve(RemoteEndpoint.ofHost("late.taps.test", 80))))
                .containsExactly(sa("127.0.0.1", 80));
    }

    @Test
    void ipLiteralsNeverQuery() throws Exception {
        EndpointResolver r = resolver();
        assertThat(await(r.resolve(RemoteEndpoint.ofAddress("127.0.0.1", 80)))).containsExactly(sa("127.0.0.1", 80));
        assertThat(await(r.resolve(RemoteEndpoint.builder().withHostName("::1").withPort(9).build())))
                .containsExactly(sa("::1", 9));
        assertThat(await(r.resolve(LocalEndpoint.ofAddress("127.0.0.1", 0)))).containsExactly(sa("127.0.0.1", 0));
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void hostsFileIsHonouredAndNeverGoesToDns() throws Exception {
        dns.a("taps-hosts.test", "127.0.0.9"); // a DNS answer that must not win
        Path hosts = hostsFile("# test hosts\n127.0.0.1 taps-hosts.test\n::1 taps-hosts.test\n"
                + "127.0.0.1 only4.taps.test\n");
        dns.aaaa("only4.taps.test", "::1");
        EndpointResolver r = resolver(dns.forFixture(hosts));
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("TAPS-hosts.test", 80))))
                .containsExactly(sa("::1", 80), sa("127.0.0.1", 80));
        // listed with one family only: still no DNS for the other family
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("only4.taps.test", 80)))).containsExactly(sa("127.0.0.1", 80));
        assertThat(await(r.resolve(LocalEndpoint.builder().withHostName("taps-hosts.test").withPort(0).build())))
                .containsExactly(sa("::1", 0), sa("127.0.0.1", 0));
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void disabledHostsFileGoesToDns() throws Exception {
        dns.a("taps-hosts.test", "127.0.0.9");
        Path hosts = hostsFile("127.0.0.1 taps-hosts.test\n");
        EndpointResolver r = resolver(dns.forFixture().toBuilder().hostsFile(hosts).useHostsFile(false).build());
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("taps-hosts.test", 80)))).containsExactly(sa("127.0.0.9", 80));
    }

    @Test
    void unreadableHostsFileIsAConfigurationError() {
        ResolverConfig config = dns.forFixture(tmp.resolve("missing-hosts"));
        assertThatThrownBy(() -> resolver(config))
                .isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("missing-hosts")
                .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.INVALID_CONFIGURATION));
    }

    @Test
    void localhostFromTheHostsFile() throws Exception {
        Path hosts = hostsFile("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
        EndpointResolver r = resolver(dns.forFixture(hosts));
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("localhost", 8080))))
                .containsExactly(sa("::1", 8080), sa("127.0.0.1", 8080));
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("ip6-localhost", 1)))).containsExactly(sa("::1", 1));
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void localhostIsLoopbackEvenWithoutHostsFile() throws Exception {
        EndpointResolver r = resolver(); // hosts file off: RFC 6761 still keeps localhost off DNS
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("localhost", 1))))
                .containsExactly(sa("::1", 1), sa("127.0.0.1", 1));
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("app.localhost", 1)))).hasSize(2);
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void capsAtMaxAddressesPerHost() throws Exception {
        String[] forty = new String[40];
        for (int i = 0; i < forty.length; i++) {
            forty[i] = "127.0.1." + (i + 1);
        }
        dns.a("many.taps.test", forty);
        List<InetSocketAddress> result = await(resolver().resolve(RemoteEndpoint.ofHost("many.taps.test", 80)));
        assertThat(result).hasSize(16);
        assertThat(result.get(0)).isEqualTo(sa("127.0.1.1", 80));
        assertThat(result.get(15)).isEqualTo(sa("127.0.1.16", 80));
    }

    @Test
    void capKeepsBothFamilies() throws Exception {
        dns.a("cap.taps.test", "127.0.0.1", "127.0.0.2", "127.0.0.3")
                .aaaa("cap.taps.test", "::1", "fd00::2", "fd00::3");
        EndpointResolver r = resolver(dns.forFixture().toBuilder().maxAddressesPerHost(3).build());
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("cap.taps.test", 1))))
                .containsExactly(sa("::1", 1), sa("127.0.0.1", 1), sa("fd00::2", 1));
    }

    @Test
    void answersAreCachedForTheirTtl() throws Exception {
        dns.a("cached.taps.test", "127.0.0.1").ttl("cached.taps.test", Duration.ofSeconds(60));
        EndpointResolver r = resolver();
        RemoteEndpoint remote = RemoteEndpoint.ofHost("cached.taps.test", 1);
        await(r.resolve(remote));
        await(r.resolve(remote));
        assertThat(dns.queryCount("cached.taps.test", DnsRecordType.A)).isEqualTo(1);
    }

    @Test
    void resolvingFromTheEventLoopDoesNotBlockIt() throws Exception {
        dns.a("loop.taps.test", "127.0.0.1");
        EndpointResolver r = resolver();
        EventLoop loop = group.next();
        CompletionStage<List<InetSocketAddress>> stage =
                loop.submit(() -> r.resolve(RemoteEndpoint.ofHost("loop.taps.test", 5))).get(5, TimeUnit.SECONDS);
        assertThat(await(stage)).containsExactly(sa("127.0.0.1", 5));
    }

    @Test
    void remoteWithoutPortIsAConfigurationError() {
        RemoteEndpoint noPort = RemoteEndpoint.builder().withHostName("a.taps.test").build();
        assertThat(failure(resolver().resolve(noPort)).reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void closedResolverFails() {
        EndpointResolver r = resolver();
        r.close();
        assertThat(failure(r.resolve(RemoteEndpoint.ofHost("x.taps.test", 1))).reason())
                .isEqualTo(ErrorReason.RESOLUTION_FAILED);
    }

    // ---- local endpoints (EP-01, EP-02) ----

    @Test
    void localWithoutAddressIsTheWildcard() throws Exception {
        List<InetSocketAddress> any = await(resolver().resolve(LocalEndpoint.any()));
        assertThat(any).hasSize(1);
        assertThat(any.get(0).getAddress().isAnyLocalAddress()).isTrue();
        assertThat(any.get(0).getPort()).isZero();
        assertThat(await(resolver().resolve(LocalEndpoint.ofPort(7000))).get(0).getPort()).isEqualTo(7000);
    }

    @Test
    void localInterfaceLoResolvesToLoopbackAddresses() throws Exception {
        List<InetSocketAddress> lo = await(resolver().resolve(
                LocalEndpoint.builder().withInterface("lo").withPort(0).build()));
        assertThat(lo).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getAddress().isLoopbackAddress()).isTrue();
            assertThat(a.getPort()).isZero();
        });
        assertThat(lo).contains(sa("127.0.0.1", 0));
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void localHostNameNarrowedToTheInterface() throws Exception {
        dns.a("lo.taps.test", "127.0.0.1").aaaa("lo.taps.test", "fd00::77");
        EndpointResolver r = resolver();
        assertThat(await(r.resolve(LocalEndpoint.builder().withHostName("lo.taps.test").withInterface("lo").build())))
                .containsExactly(sa("127.0.0.1", 0));
        dns.a("elsewhere.taps.test", "10.255.255.254");
        assertThat(failure(r.resolve(LocalEndpoint.builder().withHostName("elsewhere.taps.test")
                .withInterface("lo").build())).reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
    }

    @Test
    void unknownInterfaceFailsNamingIt() {
        TransportServicesException e = failure(resolver().resolve(
                LocalEndpoint.builder().withInterface("taps-nope0").build()));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(e).hasMessageContaining("taps-nope0");
    }

    @Test
    void remoteZoneBecomesTheScopeOfALinkLocalAddress() throws Exception {
        List<InetSocketAddress> scoped = await(resolver().resolve(RemoteEndpoint.ofAddress("fe80::1%lo", 80)));
        InetAddress address = scoped.get(0).getAddress();
        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(((Inet6Address) address).getScopeId()).isEqualTo(NetworkInterface.getByName("lo").getIndex());
        TransportServicesException e = failure(resolver().resolve(RemoteEndpoint.ofAddress("fe80::1%taps-nope0", 80)));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(e).hasMessageContaining("taps-nope0");
    }

    @Test
    void interleaveHelper() {
        InetAddress v6a = NetUtil.createInetAddressFromIpAddressString("::1");
        InetAddress v6b = NetUtil.createInetAddressFromIpAddressString("fd00::1");
        InetAddress v4a = NetUtil.createInetAddressFromIpAddressString("127.0.0.1");
        assertThat(EndpointResolver.interleave(List.of(v4a, v6a, v6b, v4a))).containsExactly(v6a, v4a, v6b);
    }

    /**
     * A machine with no DNS server configured (issue 3): hosts file names, localhost and literals
     * still resolve; any other name fails with ResolutionFailed at once, and no public server that
     * nobody configured is asked (Netty's platform default would fall back to them).
     */
    @Test
    void withoutAnyConfiguredDnsServerOnlyHostsFileAndLiteralsResolve() throws Exception {
        Path emptyResolvConf = tmp.resolve("resolv.conf");
        Files.writeString(emptyResolvConf, "# no nameserver lines\nsearch example.test\n");
        EndpointResolver r = resolver(ResolverConfig.builder().resolvConf(emptyResolvConf)
                .hostsFile(hostsFile("127.0.0.5 pinned.test\n")).build());
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("pinned.test", 80)))).containsExactly(sa("127.0.0.5", 80));
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("localhost", 80)))).contains(sa("127.0.0.1", 80));
        assertThat(await(r.resolve(RemoteEndpoint.ofAddress("::1", 80)))).containsExactly(sa("::1", 80));
        TransportServicesException e = failure(r.resolve(RemoteEndpoint.ofHost("elsewhere.test", 80)));
        assertThat(e.reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(e.getMessage()).contains("no DNS server is configured", emptyResolvConf.toString());
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void resolvConfNameServersAreRead() throws Exception {
        Path resolvConf = tmp.resolve("resolv.conf");
        Files.writeString(resolvConf, "nameserver 10.255.0.53\n# nameserver 10.0.0.1\nnameserver ::1\n"
                + "nameserver not-an-address\noptions ndots:1\n");
        assertThat(EndpointResolver.systemNameServers(resolvConf)).containsExactly(sa("10.255.0.53", 53),
                sa("::1", 53));
        assertThat(EndpointResolver.systemNameServers(tmp.resolve("missing"))).isEmpty();
    }
}
