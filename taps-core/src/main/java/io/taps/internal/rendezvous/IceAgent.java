package io.taps.internal.rendezvous;

import io.taps.ErrorReason;
import io.taps.RendezvousCredentials;
import io.taps.internal.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The connectivity checks of one Rendezvous in the ICE way (RFC 8445), independent of the socket:
 * the candidate pairs in priority order (§6.1.2), one new check every Ta = 50 ms (§14.2) with
 * retransmissions at 100, 200, 400, 800, 800, ... ms, the answers to the peer's checks (§7.3) with
 * triggered checks and peer-reflexive candidates (§7.3.1.3, §7.3.1.4), and nomination (§8.1.1): the
 * controlling side nominates the first pair whose check succeeded by repeating the check with
 * USE-CANDIDATE; the controlled side selects a pair the peer nominated once its own check on it
 * succeeded. Every check carries USERNAME {@code remote:local}, PRIORITY, the role with a
 * tie-breaker, MESSAGE-INTEGRITY keyed with the peer's password and FINGERPRINT (RFC 8489 §9.1,
 * §14.7); checks and answers without a valid MESSAGE-INTEGRITY are dropped or refused.
 *
 * <p>Simplifications, documented in docs/rendezvous.md: one component; the roles come from the
 * credentials (the larger username fragment controls), so both sides agree without a role conflict
 * (a 487 from a peer that disagrees fails that pair); nomination is of the first valid pair.
 * Lives on one event loop.
 */
final class IceAgent {
    /** Sends one STUN message of {@code pair} (a check or an answer) on the pair's base. */
    interface Sender {
        void send(CandidatePair pair, byte[] message);
    }

    /** What the agent tells its transport. */
    interface Listener {
        void selected(CandidatePair pair);
    }

    static final long TA_MILLIS = 50;
    private static final long MAX_RETRANSMIT_MILLIS = 800;
    private static final int MAX_PAIRS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Pending(CandidatePair pair, boolean nominating) {
    }

    private final RendezvousCredentials local;
    private final RendezvousCredentials remote;
    private final boolean controlling;
    private final long tieBreaker = RANDOM.nextLong();
    private final byte[] localKey;
    private final byte[] remoteKey;
    private final List<Base> bases;
    private final List<CandidatePair> pairs = new ArrayList<>();
    private final Map<ByteBuffer, Pending> transactions = new HashMap<>();
    private final Sender sender;
    private final Listener listener;
    private int remotesGiven;
    private CandidatePair selected;
    private int unauthenticated;

    IceAgent(RendezvousCredentials local, RendezvousCredentials remote, List<Base> bases, Sender sender,
            Listener listener) {
        this.local = local;
        this.remote = remote;
        this.controlling = isControlling(local, remote);
        this.localKey = StunMessage.shortTermKey(local.password());
        this.remoteKey = StunMessage.shortTermKey(remote.password());
        this.bases = List.copyOf(bases);
        this.sender = sender;
        this.listener = listener;
    }

    /** The larger username fragment (then password) controls (documented deviation from RFC 8445 §6.1.1). */
    static boolean isControlling(RendezvousCredentials local, RendezvousCredentials remote) {
        int byFragment = local.usernameFragment().compareTo(remote.usernameFragment());
        return byFragment != 0 ? byFragment > 0 : local.password().compareTo(remote.password()) > 0;
    }

    boolean controlling() {
        return controlling;
    }

    List<CandidatePair> pairs() {
        return pairs;
    }

    List<Base> bases() {
        return bases;
    }

    CandidatePair selectedPair() {
        return selected;
    }

    int unauthenticatedChecks() {
        return unauthenticated;
    }

    /** Adds a remote candidate from signalling (or trickled later): one pair per base of its family. */
    void addRemote(InetSocketAddress address) {
        CandidateType type = CandidateType.guess(address.getAddress());
        long priority = type.priority(65535 - Math.min(remotesGiven++, 65535));
        for (Base base : bases) {
            if (sameFamily(base.address(), address) && find(base, address) == null && pairs.size() < MAX_PAIRS) {
                add(new CandidatePair(base, address, type, priority));
            }
        }
    }

    private CandidatePair add(CandidatePair pair) {
        pair.prioritise(controlling);
        pairs.add(pair);
        pairs.sort(Comparator.comparingLong((CandidatePair p) -> p.priority).reversed());
        return pair;
    }

    /** Every Ta: starts the best waiting pair and retransmits the checks that are due. */
    void tick() {
        if (selected != null) {
            return;
        }
        long now = System.nanoTime();
        for (CandidatePair pair : pairs) {
            if (pair.state == CandidatePair.State.WAITING) {
                pair.state = CandidatePair.State.IN_PROGRESS;
                pair.startedNanos = now;
                check(pair, now);
                break;
            }
        }
        for (CandidatePair pair : pairs) {
            boolean waitingForNomination = pair.state == CandidatePair.State.SUCCEEDED && pair.nominating;
            if ((pair.state == CandidatePair.State.IN_PROGRESS || waitingForNomination) && now >= pair.nextSendNanos) {
                check(pair, now);
            }
        }
    }

    private void check(CandidatePair pair, long now) {
        List<StunMessage.Attribute> attributes = new ArrayList<>();
        attributes.add(StunMessage.username(remote.usernameFragment() + ":" + local.usernameFragment()));
        attributes.add(StunMessage.priority(CandidateType.PEER_REFLEXIVE.priority(65535)));
        attributes.add(StunMessage.role(controlling, tieBreaker));
        if (pair.nominating) {
            attributes.add(StunMessage.useCandidate());
        }
        StunMessage request = StunMessage.request(attributes);
        transactions.put(ByteBuffer.wrap(request.transactionId()), new Pending(pair, pair.nominating));
        pair.checksSent++;
        pair.nextSendNanos = now + TimeUnit.MILLISECONDS.toNanos(pair.retransmitMillis);
        pair.retransmitMillis = Math.min(pair.retransmitMillis * 2, MAX_RETRANSMIT_MILLIS);
        sender.send(pair, request.encode(remoteKey, true));
    }

    /**
     * A STUN message that arrived on {@code base} from {@code from}. Answers a valid check (and
     * records a peer-reflexive candidate for an unknown source), or takes in the answer to one of
     * this side's checks. Returns whether it was a message of this Rendezvous.
     */
    boolean onStun(StunMessage message, Base base, InetSocketAddress from) {
        if (message.type() == StunMessage.BINDING_REQUEST) {
            return onRequest(message, base, from);
        }
        if (message.type() == StunMessage.BINDING_SUCCESS || message.type() == StunMessage.BINDING_ERROR) {
            Pending pending = transactions.remove(ByteBuffer.wrap(message.transactionId()));
            if (pending == null) {
                return false;
            }
            onAnswer(message, pending, from);
            return true;
        }
        return false;
    }

    private boolean onRequest(StunMessage request, Base base, InetSocketAddress from) {
        String expectedUser = local.usernameFragment() + ":" + remote.usernameFragment();
        if (!request.username().map(expectedUser::equals).orElse(false) || !request.integrityValid(localKey)) {
            unauthenticated++;
            // RFC 8489 §9.1.3: a request that fails the short-term credential gets 401, without integrity.
            byte[] refusal = StunMessage.response(StunMessage.BINDING_ERROR, request.transactionId(),
                    List.of(StunMessage.errorCode(401, "Unauthorized"))).encode(null, true);
            sender.send(new CandidatePair(base, from, CandidateType.PEER_REFLEXIVE, 0), refusal);
            return true;
        }
        boolean peerControlling = request.has(StunMessage.ICE_CONTROLLING);
        CandidatePair pair = find(base, from);
        if (pair == null && pairs.size() < MAX_PAIRS) {
            long priority = request.attribute(StunMessage.PRIORITY).filter(v -> v.length == 4)
                    .map(v -> ByteBuffer.wrap(v).getInt() & 0xffffffffL).orElse(0L);
            pair = add(new CandidatePair(base, from, CandidateType.PEER_REFLEXIVE, priority));
        }
        StunMessage success = StunMessage.response(StunMessage.BINDING_SUCCESS, request.transactionId(),
                List.of(StunMessage.xorMappedAddress(from, request.transactionId())));
        CandidatePair answerOn = pair != null ? pair : new CandidatePair(base, from, CandidateType.PEER_REFLEXIVE, 0);
        sender.send(answerOn, success.encode(localKey, true));
        if (pair == null || selected != null) {
            return true;
        }
        if (peerControlling == controlling) {
            pair.state = CandidatePair.State.FAILED;
            pair.failureReason = ErrorReason.ESTABLISHMENT_FAILED;
            pair.failure = "both sides claim the " + (controlling ? "controlling" : "controlled") + " role";
            return true;
        }
        if (request.has(StunMessage.USE_CANDIDATE) && !controlling) {
            pair.nominatedByPeer = true;
        }
        if (pair.valid()) {
            if (pair.nominatedByPeer) {
                select(pair);
            }
        } else if (pair.state != CandidatePair.State.FAILED) {
            // Triggered check (RFC 8445 §7.3.1.4): answer the peer's hole with a check of our own now.
            if (pair.startedNanos < 0) {
                pair.startedNanos = System.nanoTime();
            }
            pair.state = CandidatePair.State.IN_PROGRESS;
            pair.retransmitMillis = 100;
            check(pair, System.nanoTime());
        }
        return true;
    }

    private void onAnswer(StunMessage answer, Pending pending, InetSocketAddress from) {
        CandidatePair pair = pending.pair();
        if (!answer.integrityValid(remoteKey)) {
            unauthenticated++;
            return;
        }
        pair.checksAnswered++;
        if (answer.type() == StunMessage.BINDING_ERROR) {
            pair.state = CandidatePair.State.FAILED;
            pair.endedNanos = System.nanoTime();
            pair.failureReason = ErrorReason.ESTABLISHMENT_FAILED;
            pair.failure = "the peer answered " + answer.error().orElse("an error");
            return;
        }
        if (!from.equals(pair.remote)) {
            // RFC 8445 §7.2.5.2.1: the answer must come from where the check went.
            pair.state = CandidatePair.State.FAILED;
            pair.endedNanos = System.nanoTime();
            pair.failureReason = ErrorReason.ESTABLISHMENT_FAILED;
            pair.failure = "answer came from " + from + ", not from the checked address";
            return;
        }
        if (pair.state != CandidatePair.State.SUCCEEDED) {
            pair.state = CandidatePair.State.SUCCEEDED;
            pair.endedNanos = System.nanoTime();
        }
        if (selected != null) {
            return;
        }
        if (controlling) {
            if (pending.nominating()) {
                select(pair);
            } else if (pairs.stream().noneMatch(p -> p.nominating)) {
                pair.nominating = true;
                pair.retransmitMillis = 100;
                check(pair, System.nanoTime());
            }
        } else if (pair.nominatedByPeer) {
            select(pair);
        }
    }

    private void select(CandidatePair pair) {
        selected = pair;
        pair.endedNanos = System.nanoTime();
        transactions.clear();
        listener.selected(pair);
    }

    private CandidatePair find(Base base, InetSocketAddress remoteAddress) {
        for (CandidatePair pair : pairs) {
            if (pair.base.equals(base) && pair.remote.equals(remoteAddress)) {
                return pair;
            }
        }
        return null;
    }

    private static boolean sameFamily(InetSocketAddress a, InetSocketAddress b) {
        return a.getAddress().isAnyLocalAddress() || a.getAddress().getAddress().length == b.getAddress().getAddress().length;
    }
}
