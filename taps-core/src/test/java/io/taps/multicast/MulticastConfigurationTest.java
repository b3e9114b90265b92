package io.taps.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Direction;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The multicast rules that fail before any socket exists (RFC 9622 §6.1.1, RFC 9623 §10.5; EP-03,
 * EP-04, EP-06, ERR-01, Q-14), so they run in the host namespace: nothing here opens a socket to a
 * group.
 */
class MulticastConfigurationTest extends TapsTestSupport {
    private static final InetAddress GROUP = address("239.9.9.9");
    private static final InetAddress SSM_GROUP = address("232.9.9.9");
    private static final InetAddress SOURCE = address("127.0.0.2");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Preconnection.Builder datagram() {
        return taps.preconnection().security(SecurityParameters.disabled()).properties(TransportProperties.unreliableDatagram());
    }

    private static void failsAtOnceWithInvalidConfiguration(Preconnection preconnection) {
        assertThatThrownBy(preconnection::initiate).isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.INVALID_CONFIGURATION))
                .hasMessageContaining("use Listen");
    }

    @Test
    void initiateOnAnAnySourceGroupFailsAtOnce_EP06() {
        failsAtOnceWithInvalidConfiguration(datagram().remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .local(LocalEndpoint.builder().withAnySourceMulticastGroupIP(GROUP).withPort(5000).build()).build());
    }

    @Test
    void initiateOnTheGroupAsLocalAddressFailsAtOnce_EP06() {
        failsAtOnceWithInvalidConfiguration(datagram().remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .local(LocalEndpoint.ofAddress(GROUP, 5000)).build());
    }

    @Test
    void initiateOnASourceSpecificGroupFailsAtOnceInBothSpellings_Q14() {
        failsAtOnceWithInvalidConfiguration(datagram().remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .local(LocalEndpoint.builder().withSingleSourceMulticastGroupIP(SSM_GROUP, SOURCE).withPort(5000)
                        .build()).build());
        // PyTAPS spelling: the group as local address, the source as the Preconnection's remote.
        failsAtOnceWithInvalidConfiguration(datagram().remote(RemoteEndpoint.builder().withIpAddress(SOURCE).build())
                .local(LocalEndpoint.ofAddress(SSM_GROUP, 5000)).build());
    }

    @Test
    void twoDifferentSourcesAreRejected_Q14() {
        Preconnection twoSources = datagram()
                .local(LocalEndpoint.builder().withSingleSourceMulticastGroupIP(SSM_GROUP, SOURCE).withPort(5000).build())
                .remote(RemoteEndpoint.builder().withIpAddress("127.0.0.3").build()).build();
        assertThatThrownBy(() -> twoSources.listen(connection -> { }))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("two different SSM sources");
    }

    @Test
    void aSourceOfTheOtherFamilyIsRejected() {
        Preconnection mixed = datagram().local(LocalEndpoint.ofAddress(SSM_GROUP, 5000))
                .remote(RemoteEndpoint.builder().withIpAddress("::1").build()).build();
        assertThatThrownBy(() -> mixed.listen(connection -> { }))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("different address families");
    }

    @Test
    void multicastReceiveNeedsDatagramProperties() {
        Preconnection reliable = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.builder().withAnySourceMulticastGroupIP(GROUP).withPort(5000).build()).build();
        assertThatThrownBy(() -> reliable.listen(connection -> { })).isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES));
    }

    @Test
    void aReceiveGroupWithDirectionSendIsContradictory_ERR01() {
        Preconnection sendOnly = taps.preconnection().security(SecurityParameters.disabled())
                .properties(TransportProperties.unreliableDatagram().toBuilder()
                        .direction(Direction.UNIDIRECTIONAL_SEND).build())
                .local(LocalEndpoint.builder().withAnySourceMulticastGroupIP(GROUP).withPort(5000).build()).build();
        assertThatThrownBy(() -> sendOnly.listen(connection -> { })).isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("unidirectional send");
    }

    @Test
    void aSendGroupWithDirectionReceiveIsContradictory_EP03() {
        Preconnection receiveOnly = taps.preconnection().security(SecurityParameters.disabled())
                .properties(TransportProperties.unreliableDatagram().toBuilder()
                        .direction(Direction.UNIDIRECTIONAL_RECEIVE).build())
                .remote(RemoteEndpoint.builder().withMulticastGroupIP(GROUP).withPort(5000).build()).build();
        assertThatThrownBy(receiveOnly::initiate).isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("unidirectional receive");
    }

    @Test
    void anUnknownInterfaceIsAListenError() {
        Listener listener = datagram().local(LocalEndpoint.builder().withAnySourceMulticastGroupIP(GROUP)
                .withPort(5000).withInterface("no-such-if0").build()).build().listen(connection -> { });
        Throwable failure = Await.failure(listener.ready());
        assertThat(failure).isInstanceOf(TransportServicesException.class).hasMessageContaining("no-such-if0");
        assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
    }
}
