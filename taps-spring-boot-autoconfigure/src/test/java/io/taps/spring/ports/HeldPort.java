package io.taps.spring.ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A loopback TCP port kept bound by a plain ServerSocket, so a listener asking for it cannot get it. */
final class HeldPort implements AutoCloseable {
    private final ServerSocket socket;

    HeldPort() {
        try {
            this.socket = new ServerSocket();
            this.socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    int port() {
        return this.socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        this.socket.close();
    }
}
