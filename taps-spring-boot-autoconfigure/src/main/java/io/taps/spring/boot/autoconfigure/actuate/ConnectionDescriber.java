package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Connection;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.TransferReport;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.Property;
import io.taps.security.SecurityOutcome;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns one Connection into its {@link ConnectionDescriptor}: identity, security outcome (RFC 9622
 * §6.3), establishment report (RFC 9623 §4) for initiated Connections only, transfer report and
 * multipath properties, with the peer's addresses and certificate subject shown or masked as
 * {@link PeerValues} says.
 */
final class ConnectionDescriber {
    private final ObjectIds<Connection> ids;

    ConnectionDescriber(ObjectIds<Connection> ids) {
        this.ids = ids;
    }

    String idOf(Connection connection) {
        return ids.idOf(connection);
    }

    /** @param listenerId the id of the accepting Listener, null for an initiated Connection */
    ConnectionDescriptor describe(Connection connection, boolean accepted, @Nullable String listenerId,
            PeerValues peers) {
        return new ConnectionDescriptor(ids.idOf(connection), connection.state().name(),
                accepted ? "listen" : "initiate", listenerId, connection.group().id(),
                connection.protocolStack().orElse(null),
                connection.localEndpoint().map(Object::toString).orElse(null),
                peers.peer(connection.remoteEndpoint().map(Object::toString).orElse(null)),
                connection.negotiatedApplicationProtocol().orElse(null),
                connection.securityOutcome().map(outcome -> security(outcome, peers)).orElse(null),
                // An accepted Connection raced nothing: its report would be one synthetic attempt.
                accepted ? null : establishment(connection.establishmentReport(), peers),
                transfer(connection.transferReport()), multipath(connection));
    }

    private static ConnectionDescriptor.SecurityDescriptor security(SecurityOutcome outcome, PeerValues peers) {
        return new ConnectionDescriptor.SecurityDescriptor(outcome.protocolVersion(), outcome.cipherSuite(),
                peers.peer(outcome.peerCertificate().map(c -> c.getSubjectX500Principal().getName()).orElse(null)),
                outcome.resumed());
    }

    private static ConnectionDescriptor.@Nullable MultipathDescriptor multipath(Connection connection) {
        if (connection.protocolStack().isEmpty()) {
            return null;
        }
        ConnectionProperties properties = connection.getProperties();
        return new ConnectionDescriptor.MultipathDescriptor(String.valueOf(properties.get(Property.MULTIPATH)),
                properties.has(Property.ADVERTISES_ALTADDR),
                String.valueOf(properties.get(Property.MULTIPATH_POLICY)));
    }

    private static ConnectionDescriptor.TransferDescriptor transfer(TransferReport report) {
        return new ConnectionDescriptor.TransferDescriptor(report.bytesSent(), report.bytesReceived(),
                report.messagesSent(), report.messagesReceived(),
                report.smoothedRtt().map(ConnectionDescriber::millis).orElse(null), millis(report.duration()),
                report.readyAt().map(Object::toString).orElse(null));
    }

    private static ConnectionDescriptor.EstablishmentDescriptor establishment(EstablishmentReport report,
            PeerValues peers) {
        Set<InetSocketAddress> remotes = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (EstablishmentReport.Attempt attempt : report.startedAttempts()) {
            remotes.add(attempt.candidate().remote());
            names.add(attempt.candidate().peerName());
        }
        report.winner().ifPresent(winner -> {
            remotes.add(winner.remote());
            names.add(winner.peerName());
        });
        List<ConnectionDescriptor.AttemptDescriptor> attempts = new ArrayList<>();
        for (EstablishmentReport.Attempt attempt : report.startedAttempts()) {
            EstablishmentReport.Candidate candidate = attempt.candidate();
            attempts.add(new ConnectionDescriptor.AttemptDescriptor(candidate.stack(),
                    peers.peer(TapsEndpoint.format(candidate.remote())), candidate.path(),
                    millis(attempt.startOffset().orElse(Duration.ZERO)),
                    attempt.duration().map(ConnectionDescriber::millis).orElse(null), attempt.outcome().name(),
                    attempt.reason().map(reason -> reason.rfcName()).orElse(null),
                    peers.scrub(attempt.message().orElse(null), remotes, names), candidate.proxy(),
                    attempt.earlyData()));
        }
        List<String> notes = new ArrayList<>();
        for (String note : report.notes()) {
            notes.add(peers.scrub(note, remotes, names));
        }
        List<ConnectionDescriptor.ResolutionDescriptor> resolutions = new ArrayList<>();
        for (EstablishmentReport.Resolution resolution : report.resolutions()) {
            // The name asked says who the peer is, as an address does.
            resolutions.add(new ConnectionDescriptor.ResolutionDescriptor(
                    peers.shown() ? resolution.name() : PeerValues.MASK, resolution.family(), resolution.answers(),
                    resolution.started().map(ConnectionDescriber::millis).orElse(null), millis(resolution.elapsed()),
                    peers.scrub(resolution.error(), remotes, names)));
        }
        return new ConnectionDescriptor.EstablishmentDescriptor(report.finished(), millis(report.elapsed()),
                report.winner().map(winner -> winner(winner, peers)).orElse(null), attempts, notes,
                report.startedAt().map(Object::toString).orElse(null), resolutions);
    }

    private static String winner(EstablishmentReport.Candidate winner, PeerValues peers) {
        if (peers.shown()) {
            return winner.describe();
        }
        return winner.stack() + " to " + PeerValues.MASK + (winner.proxy() == null ? "" : " through " + winner.proxy())
                + " via " + winner.path();
    }

    static double millis(Duration duration) {
        return duration.toNanos() / 1_000_000.0;
    }
}
