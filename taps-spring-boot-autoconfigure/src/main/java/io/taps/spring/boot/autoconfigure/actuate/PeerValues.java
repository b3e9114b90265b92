package io.taps.spring.boot.autoconfigure.actuate;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Who the peers are (remote addresses, host names, certificate subjects) in one taps endpoint
 * answer: shown as they are, or masked as Boot's sanitizer masks a value ({@code ******}), as
 * {@code management.endpoint.taps.show-values} and the caller decide (Boot's {@code Show}). Nothing
 * else is masked: the application's own addresses, stacks, counts and timings stay readable.
 */
final class PeerValues {
    /** What Boot's {@code Sanitizer} shows instead of a hidden value. */
    static final String MASK = "******";

    static final PeerValues SHOWN = new PeerValues(true);
    static final PeerValues HIDDEN = new PeerValues(false);

    private final boolean shown;

    private PeerValues(boolean shown) {
        this.shown = shown;
    }

    static PeerValues of(boolean shown) {
        return shown ? SHOWN : HIDDEN;
    }

    boolean shown() {
        return shown;
    }

    /** A value that names a peer: itself when shown, else the mask; null stays null. */
    @Nullable String peer(@Nullable String value) {
        return value == null || shown ? value : MASK;
    }

    /**
     * A free text (an attempt's error message, a note) with every spelling of {@code peers} (with
     * or without brackets and port, for example {@code localhost/[0:0:0:0:0:0:0:1]:7000}) and of
     * the peer {@code names} replaced by the mask unless shown, so the diagnosis stays and the peer
     * goes.
     */
    @Nullable String scrub(@Nullable String text, Collection<InetSocketAddress> peers, Collection<String> names) {
        if (text == null || shown) {
            return text;
        }
        List<String> spellings = new ArrayList<>();
        for (InetSocketAddress peer : peers) {
            if (peer.getAddress() != null) {
                spellings.add(peer.getAddress().getHostAddress());
                spellings.add(io.netty.util.NetUtil.toAddressString(peer.getAddress()));
            }
            spellings.add(peer.getHostString());
        }
        spellings.addAll(names);
        spellings.removeIf(spelling -> spelling == null || spelling.isEmpty());
        // Longest first, so "0:0:0:0:0:0:0:1" goes whole before "::1" or a name inside it is tried.
        spellings.sort(Comparator.comparingInt(String::length).reversed());
        String scrubbed = text;
        for (String spelling : spellings) {
            scrubbed = Pattern.compile("\\[?" + Pattern.quote(spelling) + "\\]?(:\\d+)?").matcher(scrubbed)
                    .replaceAll(Matcher.quoteReplacement(MASK));
        }
        return scrubbed;
    }
}
