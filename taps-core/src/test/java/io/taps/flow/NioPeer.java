package io.taps.flow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * A plain JDK (not taps, not Netty) TCP client that writes {@link StreamData} chunks without
 * blocking, so it can tell when its writes stop going anywhere: the socket stayed unwritable (both
 * kernel buffers full) for a whole stall interval. Hashes everything it writes with SHA-256.
 */
final class NioPeer implements AutoCloseable {
    static final int CHUNK = 64 * 1024;

    final MessageDigest digest = StreamData.sha256();
    private final SocketChannel channel;
    private final Selector selector;
    private long written;
    private long chunks;
    private ByteBuffer pending;

    NioPeer(int port) throws IOException {
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_WRITE);
    }

    /** Bytes the kernel took so far. */
    synchronized long written() {
        return written;
    }

    /**
     * Writes until {@code limit} bytes are written (false) or the socket stays unwritable for
     * {@code stall} (true: the reader applies backpressure).
     */
    synchronized boolean writeUntilBlocked(long limit, Duration stall) throws IOException {
        while (written < limit) {
            if (writeSome() == 0) {
                selector.selectedKeys().clear();
                if (selector.select(stall.toMillis()) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Writes until {@code total} bytes (rounded up to a whole chunk) are written, then ends the stream (FIN). */
    synchronized void finish(long total) throws IOException {
        while (written < total || pending != null && pending.hasRemaining()) {
            if (writeSome() == 0) {
                selector.selectedKeys().clear();
                selector.select(1000);
            }
        }
        channel.shutdownOutput();
    }

    private int writeSome() throws IOException {
        if (pending == null || !pending.hasRemaining()) {
            byte[] chunk = StreamData.chunk(chunks++, CHUNK);
            digest.update(chunk);
            pending = ByteBuffer.wrap(chunk);
        }
        int n = channel.write(pending);
        written += n;
        return n;
    }

    /** Resets the connection (RST): SO_LINGER 0, then close. */
    void reset() throws IOException {
        channel.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        close();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
