package io.taps.internal.multicast;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stack.TapsBinding;
import io.taps.properties.Direction;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.util.Optional;

/**
 * UDP multicast (RFC 9622 §6.1.1, RFC 9623 §10.5; design.md Q-14) as a {@link ProtocolStack}. It
 * {@linkplain #claims claims} every Preconnection with a multicast group as endpoint: a group as
 * RemoteEndpoint is a send-only Connection (a UDP socket connected to the group, hop limit and
 * outgoing interface from the endpoints, {@link MulticastSend}); a group as LocalEndpoint is a
 * receive-only Listener that joins it, any-source or source-specific ({@link MulticastReceive}),
 * with one Connection per sender; an any-source group as both endpoints of a Rendezvous is a
 * Connection that sends to and hears the group ({@link MulticastRendezvous}). Its capabilities are UDP's.
 */
public final class MulticastStack implements ProtocolStack {
    /** The one multicast stack of taps. */
    public static final MulticastStack INSTANCE = new MulticastStack();

    private static final StackCapabilities CAPABILITIES = named("UDP multicast", ChannelStack.UDP.capabilities());

    private MulticastStack() {
    }

    @Override
    public StackCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** UDP's own rule: datagrams may be duplicated, so messages must be safelyReplayable. */
    @Override
    public Optional<String> unusableReason(StackUse use) {
        return ChannelStack.UDP.unusableReason(use);
    }

    /**
     * A group as RemoteEndpoint of an Initiate, or as LocalEndpoint of a Listen; a group as local
     * endpoint of an Initiate is refused, since a group only receives (RFC 9623 §10.5).
     */
    @Override
    public boolean claims(StackUse use) {
        if (use.role() == Role.INITIATE) {
            for (LocalEndpoint local : use.locals()) {
                if (local.isMulticast()) {
                    throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "a multicast group as"
                            + " local endpoint receives only: use Listen, not Initiate (RFC 9623 §10.5)");
                }
            }
            for (RemoteEndpoint remote : use.remotes()) {
                if (remote.isMulticast()) {
                    MulticastSend.of(spec(use));
                    return true;
                }
            }
            return false;
        }
        if (use.role() == Role.RENDEZVOUS && MulticastRendezvous.requested(spec(use))) {
            MulticastRendezvous.of(spec(use));
            return true;
        }
        if (use.role() == Role.LISTEN && MulticastReceive.requested(spec(use))) {
            MulticastReceive.of(spec(use));
            return true;
        }
        return false;
    }

    /** Multicast serves group endpoints only; no unicast Preconnection ever races or listens on it. */
    @Override
    public boolean claimsOnly() {
        return true;
    }

    /** A sender only sends, a receiver only receives (RFC 9622 §6.1.1). */
    @Override
    public TransportProperties connectionProperties(TransportProperties requested, StackUse use) {
        if (use.role() == Role.RENDEZVOUS) {
            return requested;
        }
        return requested.toBuilder().direction(use.role() == Role.LISTEN ? Direction.UNIDIRECTIONAL_RECEIVE
                : Direction.UNIDIRECTIONAL_SEND).build();
    }

    @Override
    public void connect(StackAttempt attempt) {
        if (attempt.use().role() == Role.RENDEZVOUS) {
            MulticastRendezvous.of(spec(attempt.use())).connect(TapsAttempt.of(attempt));
            return;
        }
        MulticastSend.of(spec(attempt.use())).connect(TapsAttempt.of(attempt));
    }

    /** Binds to the group and joins it; the binding's addresses are ignored, the endpoint decides. */
    @Override
    public StackListener listen(StackBinding binding) {
        MulticastReceive request = MulticastReceive.of(spec(binding.use()));
        MulticastSockets sockets = new MulticastSockets(this, TapsBinding.of(binding), request);
        sockets.bind(java.util.List.of(request.bindAddress()));
        return sockets;
    }

    @Override
    public String portSpace() {
        return "udp";
    }

    /** A multicast send Connection is not cloned: a second sender to the group is a new Initiate. */
    @Override
    public boolean cloneable() {
        return false;
    }

    @Override
    public String toString() {
        return CAPABILITIES.name();
    }

    private static StackCapabilities named(String name, StackCapabilities like) {
        StackCapabilities.Builder builder = StackCapabilities.builder(name).secure(like.secure())
                .byteStream(like.byteStream());
        like.declared().forEach(builder::support);
        return builder.build();
    }

    private static PreconnectionSpec spec(StackUse use) {
        return new PreconnectionSpec(use.locals(), use.remotes(), use.properties(), use.security());
    }
}
