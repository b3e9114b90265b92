package io.taps.internal.quic;

import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The QUIC transport parameters taps announces (RFC 9000 §18.2), the same on both sides: generous
 * flow-control windows (a stream must not stall where TCP would not), 1000 concurrent bidirectional
 * streams per connection, no peer-opened unidirectional streams (taps maps only bidirectional
 * streams to Connections), and an idle timeout.
 */
final class QuicTransportSettings {
    /** Idle timeout when the Preconnection sets no {@code connTimeout}; QUIC closes idle connections silently. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final long CONNECTION_WINDOW = 64L * 1024 * 1024;
    static final long STREAM_WINDOW = 16L * 1024 * 1024;
    static final long MAX_BIDIRECTIONAL_STREAMS = 1000;

    private QuicTransportSettings() {
    }

    /** Applies the settings to a client or server codec builder. */
    static <B extends QuicCodecBuilder<B>> B apply(B builder, TransportProperties properties) {
        return builder.maxIdleTimeout(idleTimeout(properties).toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamDataUnidirectional(0)
                .initialMaxStreamsBidirectional(MAX_BIDIRECTIONAL_STREAMS)
                .initialMaxStreamsUnidirectional(0);
    }

    /**
     * The idle timeout: {@code keepAliveTimeout} is not QUIC's idle timeout, but
     * {@code connTimeout} (RFC 9622 §8.1.3, the time after which an idle connection fails) is.
     */
    static Duration idleTimeout(TransportProperties properties) {
        Timeout connTimeout = properties.get(Property.CONN_TIMEOUT);
        return connTimeout.isNone() ? DEFAULT_IDLE_TIMEOUT : connTimeout.duration();
    }
}
