package io.taps.internal.rendezvous;

import io.taps.ErrorReason;
import io.taps.RendezvousCredentials;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.stack.StackEnvironment;
import io.taps.spi.ProtocolStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Rendezvous (RFC 9622 §7.3, RFC 9623 §4.3) for Preconnections no stack claimed: picks the best
 * ranked stack that can rendezvous (UDP, or TCP by simultaneous open) and runs the ICE-style checks
 * over it ({@link UdpRendezvous}, {@link TcpRendezvous}). Secure stacks cannot rendezvous yet (DTLS
 * or TLS on top of the selected pair, with the roles of the ICE tie-break, is a follow-up), so a
 * Preconnection that requires security fails with NoCandidates naming that.
 */
public final class RendezvousEstablishment {
    private RendezvousEstablishment() {
    }

    /**
     * The stack a Rendezvous of {@code ranked} (the eligible stacks, best first) runs on.
     *
     * @throws TransportServicesException NoCandidates when none of them can rendezvous
     */
    public static ProtocolStack choose(List<ProtocolStack> ranked) {
        List<String> refused = new ArrayList<>();
        for (ProtocolStack stack : ranked) {
            if (stack == ChannelStack.UDP || stack == ChannelStack.TCP) {
                return stack;
            }
            refused.add(stack.capabilities().name());
        }
        throw new TransportServicesException(ErrorReason.NO_CANDIDATES, "Rendezvous runs over UDP or TCP"
                + " without security for now (DTLS/TLS on the selected pair is a follow-up, docs/rendezvous.md);"
                + " the eligible stacks were " + refused + " (use SecurityParameters.disabled())");
    }

    /** Starts the checks on the connection's event loop; RendezvousDone or EstablishmentError follows. */
    public static void start(TapsConnection connection, PreconnectionSpec spec, ProtocolStack stack,
            RendezvousCredentials local, RendezvousCredentials remote, Duration timeout, StackEnvironment environment,
            CacheScope scope, Function<Consumer<List<RemoteEndpoint>>, Runnable> trickle) {
        RendezvousContext context = new RendezvousContext(connection, spec, local, remote, timeout, environment,
                scope, trickle);
        if (stack == ChannelStack.TCP) {
            connection.eventLoop().execute(() -> new TcpRendezvous(context).start());
        } else {
            connection.eventLoop().execute(() -> new UdpRendezvous(context).start());
        }
    }
}
