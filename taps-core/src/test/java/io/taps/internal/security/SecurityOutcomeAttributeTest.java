package io.taps.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.AttributeKey;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsHandlers#outcome}: reading a cleartext channel's security outcome (the actuator asks
 * every Connection for it, and for its ALPN protocol) finds none and leaves the channel's attribute
 * map as it was, rather than adding an empty attribute to every channel it reads.
 */
class SecurityOutcomeAttributeTest {
    @Test
    void readingACleartextChannelsOutcomeAddsNoAttribute() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            assertThat(TlsHandlers.outcome(channel)).isEmpty();
            assertThat(channel.hasAttr(AttributeKey.valueOf(TlsHandlers.class, "outcome"))).isFalse();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
