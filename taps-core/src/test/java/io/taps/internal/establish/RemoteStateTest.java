package io.taps.internal.establish;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.resolve.EndpointResolver;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, figure 13: a RemoteEndpoint that configuration answers costs its Initiates no address
 * copies and no formatting: its peer name is the snapshot's answer's, and its usable addresses are
 * the answer's own immutable list, which the candidate tree keeps as is and the next Initiate's
 * tree memo finds equal at once.
 */
class RemoteStateTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.100", 443);

    private static RemoteState answered(EndpointResolver.FixedAnswer fixed, RemoteEndpoint remote) {
        RemoteState state = new RemoteState(remote, List.of(), fixed);
        // What Establishment.answered does.
        state.fixed = fixed;
        state.v6Done = true;
        state.v4Done = true;
        state.v4Released = true;
        state.v6.addAll(fixed.v6());
        state.v4.addAll(fixed.v4());
        return state;
    }

    @Test
    void aConfiguredLiteralUsesTheAnswersListAndPeerName() {
        EndpointResolver.FixedAnswer fixed = new EndpointResolver.FixedAnswer(null, List.of(ADDRESS), List.of(),
                "127.0.0.100");
        RemoteState state = answered(fixed, RemoteEndpoint.ofAddress("127.0.0.100", 443));

        assertThat(state.usable()).isSameAs(fixed.v6());
        assertThat(state.peerName).isSameAs(fixed.peerName());
    }

    @Test
    void bothFamiliesOrAResolvedRemoteAreCopiedInOrder() {
        InetSocketAddress v6 = new InetSocketAddress("::1", 443);
        EndpointResolver.FixedAnswer fixed = new EndpointResolver.FixedAnswer("localhost", List.of(v6),
                List.of(ADDRESS), "localhost");
        RemoteState both = answered(fixed, RemoteEndpoint.ofHost("localhost", 443));
        RemoteState resolved = new RemoteState(RemoteEndpoint.ofAddress("127.0.0.100", 443), List.of(), null);
        resolved.v4.add(ADDRESS);
        resolved.v4Released = true;

        assertThat(both.usable()).containsExactly(v6, ADDRESS);
        assertThat(resolved.usable()).containsExactly(ADDRESS);
        assertThat(resolved.peerName).isEqualTo("127.0.0.100");
    }
}
