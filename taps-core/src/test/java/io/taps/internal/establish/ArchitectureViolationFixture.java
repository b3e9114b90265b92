package io.taps.internal.establish;

import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.quic.QuicChannel;
import io.taps.internal.stack.StackKind;

/**
 * What the protocol-independent core must never do, so that {@code PackageArchitectureTest} can
 * show its rules catch it: branch on a built-in stack, touch QUIC, use a datagram packet type.
 * Test code only; never loaded by the library.
 */
public final class ArchitectureViolationFixture {
    private ArchitectureViolationFixture() {
    }

    public static boolean branchesOnTheStack(StackKind kind, Object channel, Object message) {
        return kind == StackKind.QUIC && channel instanceof QuicChannel || message instanceof DatagramPacket;
    }
}
