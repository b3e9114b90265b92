package io.taps.interop;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import tech.kwik.core.log.BaseLogger;
import tech.kwik.core.packet.QuicPacket;

/**
 * A Kwik logger that keeps the last {@link #LINES} lines of packets sent and received, info and
 * warnings in memory (warnings also go to standard out, as Kwik's SysOutLogger
 * printed them), so that a test against Kwik that fails can say what Kwik saw: a handshake that
 * timed out once under load (session 16) left nothing to read, Kwik having logged no warning.
 * {@link KwikLogOnFailure} attaches the logs of the Kwik endpoints a failed test made.
 */
public final class KwikRecentLog extends BaseLogger {
    /** Enough for a handshake and the packets around a stall; a bulk transfer's older packets fall out. */
    static final int LINES = 600;
    private static final List<KwikRecentLog> SINCE_TEST_START = new ArrayList<>();

    private final String endpoint;
    /** Strings, or packets formatted only if a failure reads them: a bulk transfer sends thousands. */
    private final ArrayDeque<Object> lines = new ArrayDeque<>(LINES);

    private KwikRecentLog(String endpoint) {
        this.endpoint = endpoint;
        logPackets(true);
        logInfo(true);
        logWarning(true);
    }

    /** A log for one Kwik endpoint ({@code endpoint} names it in a failure), kept until the next test starts. */
    public static KwikRecentLog forEndpoint(String endpoint) {
        KwikRecentLog log = new KwikRecentLog(endpoint);
        synchronized (SINCE_TEST_START) {
            SINCE_TEST_START.add(log);
        }
        return log;
    }

    /** The logs made since {@link #startTest()}. */
    static List<KwikRecentLog> sinceTestStart() {
        synchronized (SINCE_TEST_START) {
            return List.copyOf(SINCE_TEST_START);
        }
    }

    /** Forgets the logs of the test before. */
    static void startTest() {
        synchronized (SINCE_TEST_START) {
            SINCE_TEST_START.clear();
        }
    }

    String endpoint() {
        return endpoint;
    }

    /** The lines kept, oldest first. */
    synchronized String text() {
        StringBuilder text = new StringBuilder();
        for (Object line : lines) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(line);
        }
        return text.toString();
    }

    @Override
    public void received(Instant time, int datagram, QuicPacket packet) {
        keep(new PacketLine(time, "received", datagram, packet));
    }

    @Override
    public void sent(Instant time, QuicPacket packet) {
        keep(new PacketLine(time, "sent", -1, packet));
    }

    @Override
    public void sent(Instant time, List<QuicPacket> packets) {
        for (QuicPacket packet : packets) {
            sent(time, packet);
        }
    }

    @Override
    public void warn(String message) {
        super.warn(message);
        System.out.println("kwik " + endpoint + ": " + message);
    }

    @Override
    protected void log(String text) {
        keep(Instant.now() + " " + text);
    }

    private synchronized void keep(Object line) {
        if (lines.size() == LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    @Override
    protected void log(String text, Throwable error) {
        log(text + ": " + error);
    }

    @Override
    protected void logWithHexDump(String text, byte[] data, int length) {
        log(text + " (" + length + " bytes)");
    }

    @Override
    protected void logWithHexDump(String text, ByteBuffer data, int offset, int length) {
        log(text + " (" + length + " bytes)");
    }

    /** A packet sent or received, formatted only when a failure reads the log. */
    private record PacketLine(Instant time, String direction, int datagram, QuicPacket packet) {
        @Override
        public String toString() {
            return time + " " + direction + (datagram >= 0 ? " (datagram " + datagram + ") " : " ") + packet;
        }
    }
}
