package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.testing.EventLoopAllocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tech.kwik.core.QuicStream;

/**
 * Issue 21 on QUIC: a 64 B request/response loop on one stream, length-prefixed, from a taps
 * client's event loop against Kwik (pure-Java QUIC, no Netty, no quiche) echoing on its own
 * threads, so that the bytes the client's event loop allocates are taps', Netty's and quiche's
 * bindings' alone ({@link EventLoopAllocation}).
 *
 * <p>Measured here: 408-447 B per round trip with {@code sendWithEvents}/{@code receiveWithEvents},
 * of which taps' own is the received Message with its array; the rest is Netty's QUIC codec and
 * epoll datagram path (a connection-ID slice and map key per packet read, a DatagramPacket, a
 * promise per packet written, address arrays, the quiche timeout's task). The bound keeps that
 * figure from coming back to what the test first read with the leak detector on from the start
 * (4 KB, stack traces recorded at every touch of the QUIC connection's long-lived buffers) or
 * from growing by a per-Message holder or stage each way.
 */
@ExtendWith(KwikLogOnFailure.class)
class QuicSteadyStateAllocationTest {
    private static final int WARM_UP = 5_000;
    private static final int MEASURED = 5_000;
    /** Bytes per round trip the client's event loop may allocate with the event API. */
    private static final long EVENTS_BOUND = 600;

    @Test
    void quicStreamRequestResponseWithEventsAllocatesLittleBeyondNettysQuicPath() throws Exception {
        // Off from the start here: the QUIC connection's own long-lived buffers, made leak-aware at
        // PARANOID, would record a stack trace at every touch during the measured loop too.
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build();
                KwikServer kwik = new KwikServer(QuicStreamEndTest.ALPN, QuicSteadyStateAllocationTest::echo)) {
            Preconnection quic = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", kwik.port()))
                    .properties(QuicStreamEndTest.quicOnly()).security(QuicStreamEndTest.clientSecurity()).build();
            quic.addFramer(LengthPrefixFramer.factory(4));
            long withEvents = new EventLoopAllocation(WARM_UP, MEASURED).perRoundTrip(quic, true);
            assertThat(withEvents).as("bytes per QUIC round trip with sendWithEvents of a reused Message")
                    .isLessThan(EVENTS_BOUND);
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    /** Echoes each read at once (flushed: a request/response peer), until the client's FIN. */
    private static void echo(QuicStream stream) {
        byte[] buffer = new byte[4096];
        try (InputStream in = stream.getInputStream(); OutputStream out = stream.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The client closed or reset the stream: the test is over.
        }
    }
}
