package io.taps.connection;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.testing.Await;
import io.taps.testing.DnsFixture;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import io.netty.buffer.ByteBufUtil;
import io.netty.pkitesting.X509Bundle;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link ServiceBindingNamespaceTest} in a child JVM inside a network namespace: a real
 * dnsmasq on 127.0.0.1:53 serves {@code svc.test} (A 127.0.0.1, no AAAA, and an HTTPS record with
 * alpn, port, ipv6hint and ech) and {@code plain.test} (A only). TLS/TCP listens on 127.0.0.1:443,
 * QUIC on [::1] at another port, reachable only through the record's port and IPv6 hint. Prints
 * {@code key=value} lines.
 */
public final class ServiceBindingScenarios {
    private ServiceBindingScenarios() {
    }

    public static void main(String[] args) throws Exception {
        X509Bundle cert = TestPki.serverFor("svc.test", "plain.test");
        Path hosts = Files.createTempFile("taps-hosts", ".txt");
        Process dnsmasq = null;
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2)
                .nameServers(List.of(new InetSocketAddress("127.0.0.1", 53))).hostsFile(hosts).build()) {
            Listener tls = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 443))
                    .properties(TransportProperties.builder().prohibit(Property.MULTISTREAMING).build())
                    .security(ServiceBindingTest.server(cert)).build().listen(Echo::serve);
            Listener quic = taps.preconnection().local(LocalEndpoint.ofAddress("::1", 0))
                    .properties(TransportProperties.builder().require(Property.MULTISTREAMING).build())
                    .security(ServiceBindingTest.server(cert)).build().listen(Echo::serve);
            Await.result(tls.ready());
            Await.result(quic.ready());
            System.out.println("quicPort=" + quic.port());
            String record = "1 . alpn=" + ServiceBindingTest.ALPN + ",h2 port=" + quic.port()
                    + " ipv6hint=::1 ech=AEX+DQBBpQAgACD7";
            String hex = ByteBufUtil.hexDump(DnsFixture.httpsRdata("svc.test", record));
            List<String> command = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53",
                    "--user=root", "--pid-file=", "--log-queries", "--log-facility=-",
                    "--host-record=svc.test,127.0.0.1", "--host-record=plain.test,127.0.0.1",
                    "--dns-rr=svc.test,65," + hex));
            dnsmasq = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            awaitDnsmasq();

            Connection viaRecord = taps.preconnection().remote(RemoteEndpoint.ofHost("svc.test", 443))
                    .security(ServiceBindingTest.client()).build().initiate(new RecordingHandler());
            Await.result(viaRecord.ready());
            EstablishmentReport report = viaRecord.establishmentReport();
            System.out.println("recordReport=" + report.toString().replace('\n', '|'));
            System.out.println("recordStack=" + viaRecord.protocolStack().orElse("none"));
            System.out.println("recordFirst=" + describe(report.startedAttempts().get(0)));
            System.out.println("recordWinner=" + report.winner().map(c -> c.stack() + " " + address(c.remote())).orElse("none"));
            System.out.println("recordTree=" + tree(report));
            System.out.println("recordEchNoted=" + String.join(" ", report.notes()).contains("ech config of"));
            System.out.println("recordEcho=" + QuicRacingTest.echo(viaRecord, "svcb"));
            viaRecord.close();
            Await.result(viaRecord.closed());

            Connection plain = taps.preconnection().remote(RemoteEndpoint.ofHost("plain.test", 443))
                    .security(ServiceBindingTest.client()).build().initiate(new RecordingHandler());
            Await.result(plain.ready());
            EstablishmentReport plainReport = plain.establishmentReport();
            System.out.println("plainReport=" + plainReport.toString().replace('\n', '|'));
            System.out.println("plainStack=" + plain.protocolStack().orElse("none"));
            List<String> started = new ArrayList<>();
            plainReport.startedAttempts().forEach(a -> started.add(describe(a)));
            System.out.println("plainStarted=" + String.join(",", started));
            System.out.println("plainTree=" + tree(plainReport));
            List<String> families = new ArrayList<>();
            plainReport.resolutions().forEach(r -> families.add(r.family()));
            families.sort(null);
            System.out.println("plainFamilies=" + String.join(",", families));
            System.out.println("plainNotes=" + plainReport.notes().size());
            plain.close();
            Await.result(plain.closed());
            tls.close();
            quic.close();
            System.out.println("done=true");
        } finally {
            if (dnsmasq != null) {
                dnsmasq.destroy();
                if (!dnsmasq.waitFor(5, TimeUnit.SECONDS)) {
                    dnsmasq.destroyForcibly();
                }
            }
            Files.deleteIfExists(hosts);
        }
        System.exit(0);
    }

    private static String describe(EstablishmentReport.Attempt attempt) {
        return attempt.candidate().stack() + " " + address(attempt.candidate().remote());
    }

    private static String tree(EstablishmentReport report) {
        List<String> out = new ArrayList<>();
        for (EstablishmentReport.StackBranch branch : report.tree().get(0).stacks()) {
            List<String> addresses = new ArrayList<>();
            branch.addresses().forEach(a -> addresses.add(address(a)));
            out.add(branch.stack() + addresses);
        }
        return String.join(";", out);
    }

    private static String address(InetSocketAddress a) {
        String host = io.netty.util.NetUtil.toAddressString(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** dnsmasq is up once it answers a query (dnsjava, blocking: this is the child's main thread). */
    private static void awaitDnsmasq() throws Exception {
        org.xbill.DNS.SimpleResolver probe = new org.xbill.DNS.SimpleResolver("127.0.0.1");
        probe.setTimeout(java.time.Duration.ofMillis(200));
        org.xbill.DNS.Message query = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString("plain.test."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
        for (int i = 0; i < 50; i++) {
            try {
                probe.send(query);
                return;
            } catch (java.io.IOException notYet) {
                // dnsmasq is still starting
            }
        }
        throw new IllegalStateException("dnsmasq did not answer within 10 s");
    }
}
