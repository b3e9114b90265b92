package io.taps.spring.framers;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.test.autoconfigure.TapsTest;
import io.taps.spring.listener.LocalTapsPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Built-in framers configured in YAML ({@code taps.framers.*}, taps-framers-test.yml), checked
 * byte for byte on the wire with a plain {@link Socket} as the peer (neither taps nor Netty).
 */
@TapsTest(properties = "spring.config.name=taps-framers-test")
class FramerOptionsTests {
    private static final int TIMEOUT_MILLIS = 10_000;

    @LocalTapsPort("lines")
    int linesPort;

    @LocalTapsPort("short")
    int shortPort;

    @LocalTapsPort("tlv")
    int tlvPort;

    @Test
    void lineFramerEndsMessagesWithTheConfiguredCrlfDelimiter() throws IOException {
        try (Socket socket = connect(this.linesPort)) {
            // A lone LF is part of the message: only CRLF ends one.
            socket.getOutputStream().write("a\nb\r\nsecond\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket.getInputStream(), 11 + 14)).asString(StandardCharsets.UTF_8)
                .isEqualTo("echo: a\nb\r\necho: second\r\n");
        }
    }

    @Test
    void lineLongerThanTheConfiguredMaximumFailsTheConnection() throws IOException {
        try (Socket socket = connect(this.linesPort)) {
            socket.getOutputStream().write("short\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket.getInputStream(), 13)).asString(StandardCharsets.UTF_8)
                .isEqualTo("echo: short\r\n");
            // 18 bytes without a delimiter: more than max-message-size 16B plus a delimiter could end
            socket.getOutputStream().write("x".repeat(18).getBytes(StandardCharsets.UTF_8));
            assertThat(endOfStream(socket.getInputStream())).isTrue();
        }
    }

    @Test
    void lengthPrefixFramerUsesTheConfiguredTwoByteLength() throws IOException {
        try (Socket socket = connect(this.shortPort)) {
            socket.getOutputStream().write(new byte[] { 0, 5, 'h', 'e', 'l', 'l', 'o' });
            byte[] reply = read(socket.getInputStream(), 2 + 11);
            assertThat(Arrays.copyOf(reply, 2)).containsExactly(0, 11);
            assertThat(new String(reply, 2, 11, StandardCharsets.UTF_8)).isEqualTo("echo: hello");
            // 0x0401 = 1025 bytes announced: over max-message-size 1KB, refused before the body
            socket.getOutputStream().write(new byte[] { 4, 1 });
            assertThat(endOfStream(socket.getInputStream())).isTrue();
        }
    }

    @Test
    void tlvFramerUsesTheConfiguredFieldSizesAndLittleEndianOrder() throws IOException {
        try (Socket socket = connect(this.tlvPort)) {
            // type 7 in one byte, length 5 in two little-endian bytes
            socket.getOutputStream().write(new byte[] { 7, 5, 0, 'h', 'e', 'l', 'l', 'o' });
            byte[] reply = read(socket.getInputStream(), 3 + 11);
            assertThat(Arrays.copyOf(reply, 3)).containsExactly(0, 11, 0);
            assertThat(new String(reply, 3, 11, StandardCharsets.UTF_8)).isEqualTo("echo: hello");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    private static byte[] read(InputStream in, int length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        while (out.size() < length) {
            int n = in.read(buffer, 0, Math.min(buffer.length, length - out.size()));
            if (n < 0) {
                throw new IOException("end of stream after " + out.size() + " of " + length + " bytes: " + out);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** True when the peer ends or resets the stream before sending anything more. */
    private static boolean endOfStream(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        }
        catch (SocketException reset) {
            return true;
        }
    }
}
