package io.taps.spring.listener;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client that is neither taps nor Netty: a plain JDK socket speaking the 4-byte big-endian
 * length-prefix framing of taps' {@code length-prefix} framer, so tests see what any peer sees.
 */
final class PlainFramedClient implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    PlainFramedClient(int port) throws IOException {
        this.socket = new Socket();
        this.socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        this.socket.setSoTimeout(30_000);
        this.out = new DataOutputStream(this.socket.getOutputStream());
        this.in = new DataInputStream(this.socket.getInputStream());
    }

    /** Writes one framed Message (without waiting for its reply, so calls pipeline). */
    void send(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        this.out.writeInt(bytes.length);
        this.out.write(bytes);
        this.out.flush();
    }

    /** Reads the next framed Message. */
    String receive() throws IOException {
        byte[] bytes = new byte[this.in.readInt()];
        this.in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    String exchange(String text) throws IOException {
        send(text);
        return receive();
    }

    @Override
    public void close() throws IOException {
        this.socket.close();
    }
}
