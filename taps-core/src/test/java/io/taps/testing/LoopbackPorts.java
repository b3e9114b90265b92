package io.taps.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for tests that need a refused connect (RFC 9622 §7.1 EstablishmentError). */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /**
     * A TCP port on 127.0.0.1 that nothing listens on: bound and closed again at once, so a connect
     * to it is refused (unless another process takes it in between, which the kernel's ephemeral
     * port rotation makes unlikely).
     */
    public static int unused() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }
}
