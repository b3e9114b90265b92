package io.taps.spring.boot.autoconfigure.actuate;

import java.net.InetSocketAddress;
import java.util.Collection;
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
     * A free text (an attempt's error message, a note) with every spelling of {@code peers}
     * replaced by the mask unless shown, so the diagnosis stays and the peer goes.
     */
    @Nullable String scrub(@Nullable String text, Collection<InetSocketAddress> peers, Collection<String> names) {
        if (text == null || shown) {
            return text;
        }
        String scrubbed = text;
        for (InetSocketAddress peer : peers) {
            scrubbed = scrubbed.replace(TapsEndpoint.format(peer), MASK);
            if (peer.getAddress() != null) {
                scrubbed = scrubbed.replace(peer.getAddress().getHostAddress(), MASK)
                        .replace(io.netty.util.NetUtil.toAddressString(peer.getAddress()), MASK);
            }
            scrubbed = scrubbed.replace(peer.getHostString(), MASK);
        }
        for (String name : names) {
            if (name != null && !name.isEmpty()) {
                scrubbed = scrubbed.replace(name, MASK);
            }
        }
        return scrubbed;
    }
}
