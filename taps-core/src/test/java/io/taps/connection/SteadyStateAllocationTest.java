package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Preconnection;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.EventLoopAllocation;
import io.taps.testing.TapsTestSupport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the steady-state message path allocates per round trip little more than what the API
 * hands out (the application's Message, the received Message and its array, one stage per Send and
 * per Receive). A closed loop of 64 B request/response runs on the client's event loop, as an
 * event-driven application's would, against echo peers that are neither taps nor Netty (plain JDK
 * sockets), and the bytes that event loop thread allocates are measured (ThreadMXBean: bytes, not
 * time, so the figure does not depend on the machine's load). Every response is checked.
 *
 * <p>The bound is well above what the path allocates now and well below what it allocated before
 * (closures per event, a queue unit, a right-sized copy and a buffer wrapper per received Message,
 * views and slices per framed Message): a regression that brings one of them back fails here
 * ({@link EventLoopAllocation} runs the loop and counts).
 */
class SteadyStateAllocationTest extends TapsTestSupport {
    private static final int PAYLOAD = EventLoopAllocation.PAYLOAD;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 20_000;
    /** Bytes per round trip the client's event loop may allocate (API objects take about 250). */
    private static final long BOUND = 600;
    /**
     * The same with {@code sendWithEvents} of one reused Message and {@code receiveWithEvents}
     * (session 9): what is left is the received Message with its array (104 B for 64 B). A Send's
     * bookkeeping object (56 B), a ChannelPromise per write (48 B), a Receive's (32 B) or a framer
     * holder per Message each way (24 B + 24 B) coming back crosses it.
     */
    private static final long EVENTS_BOUND = 150;
    /**
     * The same with responses through {@code receiveBorrowedWithEvents} (session 23): the received
     * Message's copy and array (104 B) give way to the borrowed Message (32 B), so anything of
     * 40 B or more coming back per Message (a slice or a wrapper of the lent buffer, the copy)
     * crosses it.
     */
    private static final long BORROWED_BOUND = 70;

    private static EventLoopAllocation allocation;

    @BeforeAll
    static void allocationCounting() {
        allocation = new EventLoopAllocation(WARM_UP, MEASURED);
    }

    @Test
    void udpRequestResponseAllocatesLittleMoreThanTheApiObjects() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                byte[] buffer = new byte[2048];
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    while (true) {
                        packet.setLength(buffer.length);
                        echo.receive(packet);
                        echo.send(packet);
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "udp-echo-peer");
            peer.setDaemon(true);
            peer.start();
            Preconnection udp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", echo.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).security(SecurityParameters.disabled()).build();
            long perRoundTrip = measure(udp, false);
            assertThat(perRoundTrip).as("bytes allocated per UDP round trip on the client's event loop")
                    .isLessThan(BOUND);
            long withEvents = measure(udp, true);
            assertThat(withEvents).as("bytes per UDP round trip with sendWithEvents of a reused Message")
                    .isLessThan(EVENTS_BOUND);
            assertThat(allocation.perRoundTripBorrowing(udp)).as("bytes per UDP round trip with borrowed responses")
                    .isLessThan(BORROWED_BOUND);
        }
    }

    @Test
    void framedTcpRequestResponseAllocatesLittleMoreThanTheApiObjects() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                // One Connection after the other (send, sendWithEvents, then borrowed), until the listener closes.
                while (!listener.isClosed()) {
                    try (Socket socket = listener.accept()) {
                        socket.setTcpNoDelay(true);
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                        byte[] frame = new byte[PAYLOAD];
                        while (true) {
                            int length = in.readInt();
                            in.readFully(frame, 0, length);
                            out.writeInt(length);
                            out.write(frame, 0, length);
                            out.flush();
                        }
                    } catch (IOException closed) {
                        // This Connection (or the test) is over.
                    }
                }
            }, "tcp-echo-peer");
            peer.setDaemon(true);
            peer.start();
            Preconnection tcp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build();
            tcp.addFramer(LengthPrefixFramer.factory(4));
            long perRoundTrip = measure(tcp, false);
            assertThat(perRoundTrip).as("bytes allocated per framed TCP round trip on the client's event loop")
                    .isLessThan(BOUND);
            long withEvents = measure(tcp, true);
            assertThat(withEvents).as("bytes per framed TCP round trip with sendWithEvents of a reused Message")
                    .isLessThan(EVENTS_BOUND);
            assertThat(allocation.perRoundTripBorrowing(tcp)).as("bytes per framed TCP round trip with borrowed responses")
                    .isLessThan(BORROWED_BOUND);
        }
    }

    private static long measure(Preconnection preconnection, boolean sendWithEvents) {
        return allocation.perRoundTrip(preconnection, sendWithEvents);
    }
}
