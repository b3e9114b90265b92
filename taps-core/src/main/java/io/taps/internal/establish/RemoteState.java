package io.taps.internal.establish;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.race.RaceClock;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.resolve.ServiceBinding;
import io.taps.spi.ProtocolStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolution state of one RemoteEndpoint during an {@link Establishment} (HEv3,
 * draft-ietf-happy-happyeyeballs-v3): the AAAA and A answers and their release rules (resolution
 * delay, IPv6 held when every address is known bad), and the HTTPS record (RFC 9460) with the
 * addresses each stack reaches through it. Touched only on the connection's event loop.
 */
final class RemoteState {
    final RemoteEndpoint remote;
    final String peerName;
    final List<InetSocketAddress> v6 = new ArrayList<>();
    final List<InetSocketAddress> v4 = new ArrayList<>();
    boolean v6Done;
    boolean v4Done;
    boolean v4Released;
    boolean v6Held;
    RaceClock.Timer resolutionDelay;
    RaceClock.Timer v6HoldDelay;
    Throwable v6Failure;
    Throwable v4Failure;
    /** The HTTPS record query runs; the race waits for it at most one resolution delay. */
    boolean servicesPending;
    boolean servicesWaitedOut;
    RaceClock.Timer servicesHold;
    ServiceBinding binding;
    /**
     * What configuration answered for this remote (then {@link #v6} and {@link #v4} hold exactly its
     * lists), or null when it is resolved.
     */
    EndpointResolver.FixedAnswer fixed;

    private final List<String> applicationAlpn;

    /**
     * @param fixed what configuration answers for {@code remote} (its peer name is then formatted
     *     already), or null when it is resolved
     */
    RemoteState(RemoteEndpoint remote, List<String> applicationAlpn, EndpointResolver.FixedAnswer fixed) {
        this.remote = remote;
        this.applicationAlpn = List.copyOf(applicationAlpn);
        this.peerName = fixed != null ? fixed.peerName() : remote.hostName()
                .orElseGet(() -> remote.ipAddress().map(InetAddress::getHostAddress).orElse(null));
    }

    boolean done() {
        return v6Done && v4Done && v4Released && !v6Held && (!servicesPending || servicesWaitedOut);
    }

    /** Waiting for the HTTPS answer: addresses are held back so that its stacks can go first. */
    boolean heldForServices() {
        return servicesPending && !servicesWaitedOut;
    }

    /** The addresses {@code stack} reaches: the record's endpoints when the record names it. */
    List<InetSocketAddress> usableBy(ProtocolStack stack) {
        if (binding == null || !ServiceBindingPlan.names(binding, stack, applicationAlpn)) {
            return usable();
        }
        return ServiceBindingPlan.endpoints(binding, usable(), v6Done && !v6Held, v4Released,
                remote.effectivePort());
    }

    /** The addresses released so far; not to be changed by the caller (it may be a configured answer's own list). */
    List<InetSocketAddress> usable() {
        if (fixed != null && !v6Held && v4Released && (fixed.v4().isEmpty() || fixed.v6().isEmpty())) {
            // The snapshot's immutable list itself: the candidate tree's target keeps it without a
            // copy, and the next Initiate's tree memo finds it equal at once (the same list).
            return fixed.v4().isEmpty() ? fixed.v6() : fixed.v4();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        if (!v6Held) {
            out.addAll(v6);
        }
        if (v4Released) {
            out.addAll(v4);
        }
        return out;
    }

    /** Why neither family gave an address. */
    Throwable resolutionFailure() {
        if (remote.hostName().isEmpty()) {
            return v6Failure;
        }
        String name = remote.hostName().get();
        Throwable v4 = v4Failure;
        Throwable v6 = v6Failure;
        TransportServicesException failure = new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                "could not resolve " + name + ": A: " + (v4 == null ? "no addresses" : v4.getMessage())
                        + "; AAAA: " + (v6 == null ? "no addresses" : v6.getMessage()),
                v4 != null ? v4 : v6);
        if (v4 != null && v6 != null) {
            failure.addSuppressed(v6);
        }
        return failure;
    }
}
