package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 (code per connection): Initiates of one Preconnection whose remote answers from
 * configuration gather the same tree, so they share it and its report view instead of building
 * both per Connection; each Connection still reports the whole tree.
 */
class SharedCandidateTreeTest {
    @Test
    void initiatesOfOnePreconnectionShareTheTreeTheyReport() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            Preconnection preconnection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .properties(TransportProperties.reliableInorderStream())
                    .security(SecurityParameters.disabled()).build();
            Connection first = preconnection.initiate(new ConnectionEventHandler() { });
            Await.result(first.ready());
            Connection second = preconnection.initiate(new ConnectionEventHandler() { });
            Await.result(second.ready());

            EstablishmentReport firstReport = first.establishmentReport();
            EstablishmentReport secondReport = second.establishmentReport();
            assertThat(secondReport.tree()).isEqualTo(firstReport.tree()).isNotEmpty();
            assertThat(secondReport.tree()).isSameAs(firstReport.tree());
            assertThat(secondReport.tree().get(0).stacks().get(0).addresses())
                    .containsExactly(new java.net.InetSocketAddress("127.0.0.1", server.getLocalPort()));
            first.abort();
            second.abort();
        }
    }
}
