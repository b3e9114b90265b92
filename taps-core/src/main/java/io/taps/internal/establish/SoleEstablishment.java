package io.taps.internal.establish;

import io.netty.channel.EventLoop;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.StackEnvironment;
import io.taps.internal.stack.TapsAttempt;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Establishes an Initiate that one stack {@linkplain ProtocolStack#claims claimed} (RFC 9623 §10.5:
 * a multicast group as RemoteEndpoint): one attempt of that stack, no candidate race and no name
 * resolution, since the stack reads its endpoints from the Preconnection itself. The stack's own
 * clone support, if its attempt offers one, is the Connection's; a claimed Preconnection is never
 * cloned by reconnecting.
 */
public final class SoleEstablishment {
    private SoleEstablishment() {
    }

    /** Starts the attempt on the connection's loop; Ready or EstablishmentError follows. */
    public static void start(TapsConnection connection, PreconnectionSpec spec, ProtocolStack stack,
            StackEnvironment environment, CacheScope scope, Duration timeout) {
        start(connection, spec, stack, environment, scope, timeout, Role.INITIATE);
    }

    /** {@link #start} for {@code role}: Initiate, or a Rendezvous the stack claimed (a multicast group). */
    public static void start(TapsConnection connection, PreconnectionSpec spec, ProtocolStack stack,
            StackEnvironment environment, CacheScope scope, Duration timeout, Role role) {
        EventLoop loop = connection.eventLoop();
        RemoteEndpoint first = spec.remotes().get(0);
        InetSocketAddress remote = first.ipAddress()
                .map(address -> new InetSocketAddress(address, first.effectivePort())).orElse(null);
        String peerName = first.hostName()
                .orElseGet(() -> remote == null ? null : remote.getAddress().getHostAddress());
        loop.execute(() -> {
            TapsAttempt attempt = new TapsAttempt(stack, loop, remote, null, peerName, spec.use(role),
                    timeout, spec.framers(), null, scope, environment);
            attempt.establishAlone(connection, () -> { }, connection::failEstablishment, () -> {
                io.taps.internal.group.CloneSupport own = attempt.cloneSupportFor(connection, null);
                if (own != null) {
                    connection.cloneable(own, spec.framers());
                }
            });
        });
    }
}
