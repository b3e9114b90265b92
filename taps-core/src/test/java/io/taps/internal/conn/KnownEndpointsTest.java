package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The endpoints a Connection knows (RFC 9622 §7.5, A-15) when the ones in use are built only on the
 * first call that reads or changes the lists (issue 21 item 1): whatever comes first, the lists read
 * as if the endpoints in use had been added at adoption.
 */
class KnownEndpointsTest {
    private static final RemoteEndpoint ASKED = RemoteEndpoint.ofHost("localhost", 4433);
    private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4433);
    private static final RemoteEndpoint REMOTE_IN_USE = RemoteEndpoint.of(REMOTE);
    private static final LocalEndpoint LOCAL_IN_USE = LocalEndpoint.ofAddress(LOCAL.getAddress(), LOCAL.getPort());

    private static KnownEndpoints adopted() {
        KnownEndpoints endpoints = new KnownEndpoints();
        endpoints.known(List.of(), List.of(ASKED));
        endpoints.inUse(flow(LOCAL, REMOTE));
        return endpoints;
    }

    /** A flow with these addresses: KnownEndpoints asks a Link for nothing else. */
    static Link flow(InetSocketAddress local, InetSocketAddress remote) {
        return (Link) java.lang.reflect.Proxy.newProxyInstance(Link.class.getClassLoader(), new Class<?>[] {Link.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "localAddress":
                            return local;
                        case "remoteAddress":
                            return remote;
                        case "toString":
                            return "flow " + local + " -> " + remote;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Test
    void aSecondFlowKeepsTheFirstOnesEndpointsKnown() {
        KnownEndpoints endpoints = adopted();
        InetSocketAddress otherLocal = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50001);
        endpoints.inUse(flow(otherLocal, REMOTE));
        assertThat(endpoints.remotes()).containsExactly(ASKED, REMOTE_IN_USE);
        assertThat(endpoints.locals()).containsExactly(LOCAL_IN_USE,
                LocalEndpoint.ofAddress(otherLocal.getAddress(), otherLocal.getPort()));
    }

    @Test
    void anAcceptedConnectionKnowsJustTheEndpointsInUse() {
        KnownEndpoints endpoints = new KnownEndpoints();
        endpoints.inUse(flow(LOCAL, REMOTE));
        assertThat(endpoints.remotes()).containsExactly(REMOTE_IN_USE);
        assertThat(endpoints.locals()).containsExactly(LOCAL_IN_USE);
        assertThat(endpoints.removeRemotes(REMOTE_IN_USE)).isTrue();
        assertThat(endpoints.remotes()).isEmpty();
    }

    @Test
    void readingFirstShowsTheEndpointsInUseAfterThePreconnections() {
        KnownEndpoints endpoints = adopted();
        assertThat(endpoints.remotes()).containsExactly(ASKED, REMOTE_IN_USE);
        assertThat(endpoints.locals()).containsExactly(LOCAL_IN_USE);
    }

    @Test
    void addingFirstPutsTheAddedAfterTheEndpointsInUse() {
        KnownEndpoints endpoints = adopted();
        RemoteEndpoint spare = RemoteEndpoint.ofAddress("127.0.0.2", 4433);
        LocalEndpoint otherLocal = LocalEndpoint.ofAddress("127.0.0.3", 0);
        endpoints.addRemotes(spare, REMOTE_IN_USE);
        endpoints.addLocals(otherLocal);
        assertThat(endpoints.remotes()).containsExactly(ASKED, REMOTE_IN_USE, spare);
        assertThat(endpoints.locals()).containsExactly(LOCAL_IN_USE, otherLocal);
    }

    @Test
    void removingTheEndpointInUseFirstStillSaysTheFlowLostIt() {
        assertThat(adopted().removeRemotes(REMOTE_IN_USE)).as("the flow's remote removed").isTrue();
        assertThat(adopted().removeLocals(LOCAL_IN_USE)).as("the flow's local removed").isTrue();
        KnownEndpoints endpoints = adopted();
        assertThat(endpoints.removeRemotes(ASKED)).as("another remote removed, the one in use stays").isFalse();
        assertThat(endpoints.remotes()).containsExactly(REMOTE_IN_USE);
    }
}
