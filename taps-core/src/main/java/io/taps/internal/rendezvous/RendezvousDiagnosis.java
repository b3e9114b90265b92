package io.taps.internal.rendezvous;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Why a Rendezvous found no working pair, in words an operator can act on: the pairs and their
 * fate, and the likely cause. A server-reflexive port that differs from its base's port means the
 * NAT in front of this host does not preserve ports, the mark of endpoint-dependent ("symmetric")
 * mapping (RFC 4787 §4.1), which hole punching cannot traverse; only a relay (TURN, RFC 8656) can,
 * and taps has none yet.
 */
final class RendezvousDiagnosis {
    private RendezvousDiagnosis() {
    }

    static String explain(String stack, Duration timeout, List<CandidatePair> pairs,
            Map<Base, InetSocketAddress> reflexive, int unauthenticated) {
        StringBuilder out = new StringBuilder("Rendezvous over ").append(stack)
                .append(" found no working candidate pair within ").append(timeout.toMillis()).append(" ms");
        if (pairs.isEmpty()) {
            return out.append(": there are no candidate pairs (no remote candidate of a local base's address family;"
                    + " add the peer's candidates with Preconnection.addRemote)").toString();
        }
        long answered = pairs.stream().filter(p -> p.checksAnswered > 0).count();
        out.append(": ").append(pairs.size()).append(" pair(s) checked, ").append(answered).append(" answered");
        for (CandidatePair pair : pairs) {
            out.append("; ").append(pair).append(": ").append(pair.state.name().toLowerCase())
                    .append(", ").append(pair.checksSent).append(" check(s) sent");
            if (pair.failure != null) {
                out.append(" (").append(pair.failure).append(")");
            }
        }
        for (Map.Entry<Base, InetSocketAddress> entry : reflexive.entrySet()) {
            if (entry.getValue().getPort() != entry.getKey().address().getPort()) {
                out.append(". Symmetric NAT: the NAT in front of this host maps ").append(entry.getKey().describe())
                        .append(" to port ").append(entry.getValue().getPort())
                        .append(", so it does not preserve ports and maps each destination anew (endpoint-dependent"
                                + " mapping, RFC 4787 §4.1); hole punching cannot traverse it, only a TURN relay"
                                + " (RFC 8656) could, and taps has no TURN support yet");
                return out.toString();
            }
        }
        if (unauthenticated > 0) {
            return out.append(". ").append(unauthenticated).append(" check(s) failed MESSAGE-INTEGRITY: the peer uses"
                    + " other credentials than those set with setRemoteRendezvousCredentials").toString();
        }
        return out.append(". The peer may not be running its Rendezvous, or a NAT or firewall between drops the checks"
                + " (hole punching needs NATs that map endpoint-independently; TURN relaying is not supported yet)")
                .toString();
    }
}
