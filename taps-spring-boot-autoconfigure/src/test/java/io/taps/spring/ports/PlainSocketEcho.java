package io.taps.spring.ports;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A java.net client speaking the 4-byte length-prefix framing, independent of taps and Netty. */
final class PlainSocketEcho {
    private PlainSocketEcho() {
    }

    static String exchange(int port, String text) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readInt()];
            in.readFully(reply);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }
}
