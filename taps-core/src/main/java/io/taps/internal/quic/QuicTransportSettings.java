package io.taps.internal.quic;

import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

/**
 * The QUIC transport parameters taps announces (RFC 9000 §18.2), the same on both sides: generous
 * flow-control windows (a stream must not stall where TCP would not), 1000 concurrent bidirectional
 * streams per connection, no peer-opened unidirectional streams (taps maps only bidirectional
 * streams to Connections), DATAGRAM frames accepted (RFC 9221; they carry keep-alive probes, see
 * {@link QuicLiveness}), and an idle timeout.
 *
 * <p>The idle timeout is QUIC's own (RFC 9000 §10.1), not an RFC 9622 property: {@code connTimeout}
 * has its §8.1.3 meaning on QUIC too (see {@link QuicLiveness}), and a Connection with keep-alive
 * never idles out while the peer answers. It is {@value #DEFAULT_IDLE_SECONDS} s unless the system
 * property {@value #IDLE_TIMEOUT_PROPERTY} says otherwise (an ISO-8601 duration such as
 * {@code PT2M}, or milliseconds; {@code 0} disables it, leaving it to the peer), read whenever a
 * QUIC endpoint is created.
 */
final class QuicTransportSettings {
    /** The system property that sets the QUIC idle timeout. */
    static final String IDLE_TIMEOUT_PROPERTY = "taps.quic.idleTimeout";
    static final long DEFAULT_IDLE_SECONDS = 30;
    /** Idle timeout without the system property; QUIC closes idle connections silently. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(DEFAULT_IDLE_SECONDS);
    static final long CONNECTION_WINDOW = 64L * 1024 * 1024;
    static final long STREAM_WINDOW = 16L * 1024 * 1024;
    static final long MAX_BIDIRECTIONAL_STREAMS = 1000;
    /** Received DATAGRAM frames queued until read (taps drops them at once) and sent ones queued. */
    static final int DATAGRAM_QUEUE = 16;

    private QuicTransportSettings() {
    }

    /** Applies the settings to a client or server codec builder. */
    static <B extends QuicCodecBuilder<B>> B apply(B builder, TransportProperties properties) {
        return builder.maxIdleTimeout(idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamDataUnidirectional(0)
                .initialMaxStreamsBidirectional(MAX_BIDIRECTIONAL_STREAMS)
                .initialMaxStreamsUnidirectional(0)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE);
    }

    /** The idle timeout this endpoint announces: the system property's, else 30 s. */
    static Duration idleTimeout() {
        String configured = System.getProperty(IDLE_TIMEOUT_PROPERTY, "").trim();
        if (configured.isEmpty()) {
            return DEFAULT_IDLE_TIMEOUT;
        }
        try {
            Duration parsed = configured.startsWith("P") || configured.startsWith("p")
                    ? Duration.parse(configured) : Duration.ofMillis(Long.parseLong(configured));
            return parsed.isNegative() ? DEFAULT_IDLE_TIMEOUT : parsed;
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException malformed) {
            return DEFAULT_IDLE_TIMEOUT;
        }
    }
}
