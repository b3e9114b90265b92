package io.taps.internal.quic;

import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

/**
 * The QUIC transport parameters taps announces (RFC 9000 §18.2), the same on both sides: generous
 * flow-control windows (a stream must not stall where TCP would not), 1000 concurrent bidirectional
 * streams per connection, 100 peer-opened unidirectional streams (each a receive-only Connection;
 * HTTP/3 peers open three at once, RFC 9114 §6.2, and abort the handshake when none are allowed,
 * so Netty's and quiche's default of 100 is taps' too), DATAGRAM frames accepted (RFC 9221; they
 * carry taps' datagram Connections, {@link QuicDatagrams}, and keep-alive probes, see
 * {@link QuicLiveness}), and an idle timeout.
 *
 * <p>RFC 9622 names none of these limits (groupConnLimit bounds the Connections a group accepts,
 * not what QUIC announces), so they are system properties, read whenever a QUIC endpoint is
 * created, each a non-negative integer (anything else keeps the default):
 * {@value #MAX_STREAMS_BIDI_PROPERTY} (default {@value #MAX_BIDIRECTIONAL_STREAMS}),
 * {@value #MAX_STREAMS_UNI_PROPERTY} (default {@value #MAX_UNIDIRECTIONAL_STREAMS}),
 * {@value #DATAGRAM_QUEUE_PROPERTY} (DATAGRAM frames quiche queues each way, default
 * {@value #DATAGRAM_QUEUE}; 0 stops announcing the extension).
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
    /** Peer-opened unidirectional streams allowed at once (RFC 9000 §4.6), as Netty's and quiche's default. */
    static final long MAX_UNIDIRECTIONAL_STREAMS = 100;
    /** DATAGRAM frames quiche queues each way: received until the codec reads them, sent until a packet goes out. */
    static final int DATAGRAM_QUEUE = 128;
    /** The system property that sets initial_max_streams_bidi. */
    static final String MAX_STREAMS_BIDI_PROPERTY = "taps.quic.maxStreamsBidi";
    /** The system property that sets initial_max_streams_uni. */
    static final String MAX_STREAMS_UNI_PROPERTY = "taps.quic.maxStreamsUni";
    /** The system property that sets the DATAGRAM queue lengths (RFC 9221). */
    static final String DATAGRAM_QUEUE_PROPERTY = "taps.quic.datagramQueue";

    private QuicTransportSettings() {
    }

    /** Applies the settings to a client or server codec builder. */
    static <B extends QuicCodecBuilder<B>> B apply(B builder, TransportProperties properties) {
        B configured = builder.maxIdleTimeout(idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamDataUnidirectional(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(limit(MAX_STREAMS_BIDI_PROPERTY, MAX_BIDIRECTIONAL_STREAMS))
                .initialMaxStreamsUnidirectional(limit(MAX_STREAMS_UNI_PROPERTY, MAX_UNIDIRECTIONAL_STREAMS));
        int queue = (int) Math.min(Integer.MAX_VALUE, limit(DATAGRAM_QUEUE_PROPERTY, DATAGRAM_QUEUE));
        return queue == 0 ? configured : configured.datagram(queue, queue);
    }

    /** The non-negative integer system property {@code name}, or {@code fallback} when unset or malformed. */
    static long limit(String name, long fallback) {
        String configured = System.getProperty(name, "").trim();
        if (configured.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(configured);
            return parsed < 0 ? fallback : parsed;
        } catch (NumberFormatException malformed) {
            return fallback;
        }
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
