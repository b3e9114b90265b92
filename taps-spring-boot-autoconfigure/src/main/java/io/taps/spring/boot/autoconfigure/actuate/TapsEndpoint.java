package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Connection;
import io.taps.EstablishmentReport;
import io.taps.Listener;
import io.taps.TransportServices;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/taps}: the Transport Services system, its declared Listeners and its live
 * Connections with their establishment reports (RFC 9622 §7, RFC 9623 §4), and
 * {@code /actuator/taps/{id}} for one Connection. Only names, states, addresses and timings are
 * shown: never keys, passwords, certificates or other security parameters.
 *
 * <p>Each section of {@link TapsDescriptor} is built by its own method here, so further sections
 * (connection groups, path statistics) are added beside them.
 */
@Endpoint(id = "taps")
public class TapsEndpoint {
    private final TransportServices services;
    private final ListenerDirectory directory;
    private final ListenerActivity activity;
    private final ObjectIds<Connection> connectionIds = new ObjectIds<>("c");

    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity) {
        this.services = services;
        this.directory = directory;
        this.activity = activity;
    }

    @ReadOperation
    public TapsDescriptor taps() {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        return new TapsDescriptor(system(), listeners(declared), connections(declared));
    }

    /** One Connection by its id; 404 when it is unknown or Closed. */
    @ReadOperation
    public @Nullable ConnectionDescriptor connection(@Selector String id) {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        for (ConnectionDescriptor connection : connections(declared)) {
            if (connection.id().equals(id)) {
                return connection;
            }
        }
        return null;
    }

    private TapsDescriptor.SystemDescriptor system() {
        return new TapsDescriptor.SystemDescriptor(services.ioTransport(), services.tlsProvider());
    }

    private List<ListenerDescriptor> listeners(List<ListenerDirectory.DeclaredListener> declared) {
        List<ListenerDescriptor> all = new ArrayList<>();
        for (ListenerDirectory.DeclaredListener entry : declared) {
            Listener listener = entry.listener();
            String state = ListenerStates.stateOf(entry);
            List<String> addresses = new ArrayList<>();
            if (listener != null && state.equals(ListenerStates.BOUND)) {
                for (InetSocketAddress address : listener.localAddresses()) {
                    addresses.add(format(address));
                }
            }
            all.add(new ListenerDescriptor(entry.id(), entry.profile(), state,
                    listener == null ? null : listener.protocolStack(), addresses,
                    listener == null || !state.equals(ListenerStates.BOUND) ? -1 : listener.port(),
                    listener == null ? 0 : activity.acceptedCount(listener), ListenerStates.errorOf(entry)));
        }
        return all;
    }

    private List<ConnectionDescriptor> connections(List<ListenerDirectory.DeclaredListener> declared) {
        List<ConnectionDescriptor> all = new ArrayList<>();
        for (Connection connection : services.connections()) {
            all.add(describe(connection, declared));
        }
        all.sort(ObjectIds.byNumber(ConnectionDescriptor::id));
        return all;
    }

    private ConnectionDescriptor describe(Connection connection, List<ListenerDirectory.DeclaredListener> declared) {
        Listener acceptedBy = activity.acceptedBy(connection);
        String listenerId = null;
        if (acceptedBy != null) {
            for (ListenerDirectory.DeclaredListener entry : declared) {
                if (entry.listener() == acceptedBy) {
                    listenerId = entry.id();
                }
            }
        }
        return new ConnectionDescriptor(connectionIds.idOf(connection), connection.state().name(),
                acceptedBy == null ? "initiate" : "listen", listenerId, connection.protocolStack().orElse(null),
                connection.localEndpoint().map(Object::toString).orElse(null),
                connection.remoteEndpoint().map(Object::toString).orElse(null),
                connection.negotiatedApplicationProtocol().orElse(null),
                establishment(connection.establishmentReport()));
    }

    private static ConnectionDescriptor.EstablishmentDescriptor establishment(EstablishmentReport report) {
        List<ConnectionDescriptor.AttemptDescriptor> attempts = new ArrayList<>();
        for (EstablishmentReport.Attempt attempt : report.startedAttempts()) {
            EstablishmentReport.Candidate candidate = attempt.candidate();
            attempts.add(new ConnectionDescriptor.AttemptDescriptor(candidate.stack(), format(candidate.remote()),
                    candidate.path(), millis(attempt.startOffset().orElse(Duration.ZERO)),
                    attempt.duration().map(TapsEndpoint::millis).orElse(null), attempt.outcome().name(),
                    attempt.reason().map(reason -> reason.rfcName()).orElse(null), attempt.message().orElse(null)));
        }
        return new ConnectionDescriptor.EstablishmentDescriptor(report.finished(), millis(report.elapsed()),
                report.winner().map(EstablishmentReport.Candidate::describe).orElse(null), attempts, report.notes());
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1_000_000.0;
    }

    static String format(@Nullable InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        // Compressed IPv6 ([::1], not [0:0:0:0:0:0:0:1]), as the establishment report prints it.
        String host = address.getAddress() == null ? address.getHostString()
                : io.netty.util.NetUtil.toAddressString(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
