package io.taps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.ResolvedEndpoints;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.mptcp.MptcpStack;
import io.taps.internal.quic.QuicAvailability;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.DnsFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A TransportServices that only listens on and connects to address literals over TCP builds no DNS
 * resolver, never asks whether MPTCP sockets can be opened (JNA) and never loads QUIC's native codec
 * (issue 21, figure 12's start-up cost); the first name it resolves still goes to DNS.
 */
class StartupOnDemandTest {

    private static Engine engine(TransportServices taps) throws ReflectiveOperationException {
        java.lang.reflect.Field field = TransportServices.class.getDeclaredField("engine");
        field.setAccessible(true);
        return (Engine) field.get(taps);
    }

    private static EndpointResolver resolver(TransportServices taps) throws ReflectiveOperationException {
        java.lang.reflect.Field field = Engine.class.getDeclaredField("resolver");
        field.setAccessible(true);
        return (EndpointResolver) field.get(engine(taps));
    }

    @Test
    void aTcpListenerAndConnectionOnLiteralsLoadNoDnsMptcpOrQuic() throws Exception {
        long mptcpProbes = MptcpStack.nativeProbes();
        long quicAsked = QuicAvailability.timesAsked();
        try (DnsFixture dns = DnsFixture.start();
                TransportServices taps = TransportServices.builder().eventLoopThreads(1)
                        .pathMonitorInterval(Duration.ZERO).nameServers(List.of(dns.address())).build()) {
            Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .properties(TransportProperties.reliableInorderStream())
                    .security(SecurityParameters.disabled()).build().listen(Connection::close);
            Await.result(listener.ready());
            Connection connection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.reliableInorderStream())
                    .security(SecurityParameters.disabled()).build().initiate();
            Await.result(connection.ready());
            connection.close();
            Await.result(connection.closed());
            Await.result(listener.stop());

            assertThat(resolver(taps).dnsBuilds()).isZero();
            assertThat(MptcpStack.nativeProbes()).isEqualTo(mptcpProbes);
            assertThat(QuicAvailability.timesAsked()).isEqualTo(quicAsked);
            assertThat(dns.totalQueryCount()).isZero();

            dns.a("named.taps.test", "127.0.0.9");
            ResolvedEndpoints resolved = Await.result(taps.preconnection()
                    .remote(RemoteEndpoint.ofHost("named.taps.test", 80)).build().resolve());
            assertThat(resolved.remoteEndpoints()).anySatisfy(remote ->
                    assertThat(remote.ipAddress()).hasValueSatisfying(ip ->
                            assertThat(ip.getHostAddress()).isEqualTo("127.0.0.9")));
            assertThat(resolver(taps).dnsBuilds()).isEqualTo(1);
        }
    }

    @Test
    void closingASystemThatNeverResolvedANameBuildsNoResolver() throws Exception {
        TransportServices taps = TransportServices.builder().eventLoopThreads(1).pathMonitorInterval(Duration.ZERO)
                .build();
        EndpointResolver resolver = resolver(taps);
        taps.close();
        assertThat(resolver.dnsBuilds()).isZero();
        assertThat(resolver.isClosed()).isTrue();
    }
}
