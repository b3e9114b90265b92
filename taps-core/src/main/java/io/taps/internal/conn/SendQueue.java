package io.taps.internal.conn;

import io.taps.MessageContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages taps holds back because the stack is not Ready or not writable (design Q-8).
 *
 * <p>{@code msgPriority} reorders only messages still in this queue, and only where the
 * specification allows it: a message that requires ordering ({@code msgOrdered}) never overtakes
 * an earlier one that also requires it, parts of one Message stay in order, and a Final message
 * goes last. (Without a framer a byte stream carries no message boundaries, so interleaving the
 * parts of different Messages changes nothing the peer can observe.) Lower {@code msgPriority} values go first; ties keep submission order.
 * Queues are short-lived and short, so a linear scan is cheaper than a heap with these rules.
 * A layer of the Connection object, between {@link Lifecycle} and {@link SendPath} (see
 * {@link TapsConnection}); only SendPath uses its methods.
 */
abstract sealed class SendQueue extends Lifecycle permits SendPath {
    SendQueue(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /**
     * A lone queued Send waits in {@link #lone}; two or more wait in {@link #entries}, in
     * submission order, a list made for them and dropped when the queue empties. A queue is used
     * only while the link is not Ready or not writable, mostly for one Send, and a list kept with
     * its ten slots is ~80 B of every Connection that ever queued one (issue 21 item 4).
     */
    private PendingSend lone;
    private ArrayList<PendingSend> entries;
    private long bytes;
    /** Queued Sends that do not require ordering; while there are none, only the head may go. */
    private int unordered;

    void add(PendingSend send) {
        if (entries != null) {
            entries.add(send);
        } else if (lone == null) {
            lone = send;
        } else {
            entries = new ArrayList<>(4);
            entries.add(lone);
            entries.add(send);
            lone = null;
        }
        bytes += send.size();
        if (!send.ordered) {
            unordered++;
        }
    }

    boolean noSendQueued() {
        return lone == null && entries == null;
    }

    long queuedSendBytes() {
        return bytes;
    }

    boolean remove(PendingSend send) {
        if (lone != null && lone == send) {
            lone = null;
        } else if (entries == null || !entries.remove(send)) {
            return false;
        } else if (entries.isEmpty()) {
            entries = null;
        }
        bytes -= send.size();
        if (!send.ordered) {
            unordered--;
        }
        return true;
    }

    /** The queued Sends in submission order, for a scan (none made for a lone one but a view). */
    private List<PendingSend> queued() {
        return entries != null ? entries : lone != null ? List.of(lone) : List.of();
    }

    /** Removes and returns every queued part of the Message {@code context} identifies, in order. */
    List<PendingSend> removeParts(MessageContext context) {
        List<PendingSend> parts = new ArrayList<>();
        for (PendingSend candidate : queued()) {
            if (candidate.context == context) {
                parts.add(candidate);
            }
        }
        for (PendingSend part : parts) {
            remove(part);
        }
        return parts;
    }

    /** Removes and returns the entry sending exactly {@code message} (identity), or null. */
    PendingSend removeMessage(io.taps.Message message) {
        for (PendingSend candidate : queued()) {
            if (candidate.message == message) {
                remove(candidate);
                return candidate;
            }
        }
        return null;
    }

    /**
     * Removes and returns the next message to write, or null when nothing may go yet; while
     * {@code openMessage} is not null only its next part may go.
     */
    PendingSend pollNext(MessageContext openMessage) {
        if (openMessage != null) {
            for (PendingSend candidate : queued()) {
                if (candidate.context == openMessage) {
                    remove(candidate);
                    return candidate;
                }
            }
            return null;
        }
        if (entries != null && unordered == 0) {
            // Every queued Send requires ordering (a TCP stack's default), so none overtakes the
            // head, which goes unless it is a Final one with others behind it. Without this a bulk
            // sender's every poll scanned up to 16 Sends with a new map (issue 21, figure 1).
            PendingSend head = entries.get(0);
            if (head.isFinal && entries.size() > 1) {
                return null;
            }
            remove(head);
            return head;
        }
        if (entries == null || entries.size() == 1) {
            // A lone entry always may go (nothing before it to wait for, and a Final one is last):
            // the usual case, without the scan's map (one per poll; 3-4% of the bytes of a TCP
            // connect + close, issue 21).
            PendingSend only = entries == null ? lone : entries.get(0);
            if (only != null) {
                remove(only);
            }
            return only;
        }
        PendingSend best = null;
        boolean orderedSeen = false;
        Map<MessageContext, Boolean> contextsSeen = new IdentityHashMap<>();
        for (PendingSend candidate : entries) {
            boolean laterPartOfSeenMessage = contextsSeen.put(candidate.context, Boolean.TRUE) != null;
            boolean blockedByOrder = candidate.ordered && orderedSeen;
            if (candidate.ordered) {
                orderedSeen = true;
            }
            if (laterPartOfSeenMessage || blockedByOrder) {
                continue;
            }
            if (candidate.isFinal && entries.size() > 1) {
                continue;
            }
            if (best == null || candidate.priority < best.priority) {
                best = candidate;
            }
        }
        if (best != null) {
            remove(best);
        }
        return best;
    }

    /** Removes every entry, for Abort or failure; the caller reports each one. */
    List<PendingSend> drainAll() {
        List<PendingSend> all = queued();
        lone = null;
        entries = null;
        bytes = 0;
        unordered = 0;
        return all;
    }
}
