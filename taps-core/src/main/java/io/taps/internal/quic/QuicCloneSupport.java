package io.taps.internal.quic;

import io.taps.monitor.EstablishmentReport;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.group.CloneReport;
import io.taps.internal.group.CloneRequest;
import io.taps.internal.group.CloneSupport;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Clone on QUIC (RFC 9622 §7.4, design.md Q-16): a new bidirectional stream of the same QUIC
 * connection, Ready as soon as the stream and its framers are; no handshake, no race, no
 * resolution. Every stream Connection of the QUIC connection is in one Connection Group, so
 * {@code groupConnLimit} bounds the streams a clone may open.
 */
public final class QuicCloneSupport implements CloneSupport {
    private final QuicSession session;
    private final EstablishmentReport.Candidate candidate;

    private QuicCloneSupport(QuicSession session, EstablishmentReport.Candidate candidate) {
        this.session = session;
        this.candidate = candidate;
    }

    /**
     * The clone support of {@code winner}, the first stream Connection of {@code session}, which
     * also makes the winner's group the group of every later stream of the session. Call on the
     * QUIC connection's event loop, before the winner is established.
     */
    public static QuicCloneSupport forWinner(QuicSession session, TapsConnection winner,
            EstablishmentReport.Candidate won) {
        session.joinSessionGroup(winner);
        return new QuicCloneSupport(session, won);
    }

    @Override
    public boolean multiplexed() {
        return true;
    }

    @Override
    public void open(CloneRequest request) {
        TapsConnection clone = (TapsConnection) request.cloned();
        // A stream that is still opening when the application aborts is closed once it exists.
        if (!clone.onEstablishmentCancel(() -> { })) {
            return;
        }
        long started = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        InetSocketAddress remote = session.remoteAddress();
        clone.establishmentReport(CloneReport.of(request, candidate, remote, "a new stream of the QUIC connection",
                EstablishmentReport.Outcome.RUNNING, null, null, false, startedAt));
        session.channel().eventLoop().execute(() -> session.openStreamFor(clone, request.framers(), error -> {
            clone.establishmentReport(report(request, remote, started, startedAt, error));
            if (clone.state() != io.taps.properties.ConnectionState.CLOSED) {
                request.failed(error);
            }
        }));
        clone.ready().thenRun(() -> clone.establishmentReport(report(request, remote, started, startedAt, null)));
    }

    private EstablishmentReport report(CloneRequest request, InetSocketAddress remote, long started,
            java.time.Instant startedAt, TransportServicesException failure) {
        return CloneReport.of(request, candidate, remote, "a new stream of the QUIC connection",
                failure == null ? EstablishmentReport.Outcome.SUCCEEDED : EstablishmentReport.Outcome.FAILED,
                Duration.ofNanos(System.nanoTime() - started), failure, true, startedAt);
    }
}
