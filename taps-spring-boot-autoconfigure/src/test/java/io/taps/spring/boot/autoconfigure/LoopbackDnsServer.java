package io.taps.spring.boot.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on a loopback address written with plain {@link DatagramSocket}s (not Netty, not
 * taps): it answers every A question with 127.0.0.1 and every other question with no records, and
 * counts the queries, so a test sees which server the resolver really asked.
 */
final class LoopbackDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();

    private LoopbackDnsServer(DatagramSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::serve, "loopback-dns-" + socket.getLocalPort());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** A server on {@code address} (a loopback literal) and an ephemeral port. */
    static LoopbackDnsServer start(String address) throws IOException {
        return new LoopbackDnsServer(new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0)));
    }

    int port() {
        return this.socket.getLocalPort();
    }

    int queries() {
        return this.queries.get();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!this.socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                this.socket.receive(packet);
                byte[] answer = answer(buffer, packet.getLength());
                if (answer != null) {
                    this.queries.incrementAndGet();
                    this.socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            }
            catch (SocketException closed) {
                return;
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    /** The response to the query in {@code query[0, length)}, or null when it is not one question. */
    private static byte[] answer(byte[] query, int length) {
        if (length < 12 || (query[4] << 8 | (query[5] & 0xff)) != 1) {
            return null;
        }
        int end = 12;
        while (end < length && query[end] != 0) {
            end += (query[end] & 0xff) + 1;
        }
        end += 5; // the root label, QTYPE and QCLASS
        if (end > length) {
            return null;
        }
        int type = (query[end - 4] & 0xff) << 8 | (query[end - 3] & 0xff);
        boolean a = type == 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, 2); // ID
        out.write(0x81); // QR, RD
        out.write(0x80); // RA, NOERROR
        out.writeBytes(new byte[] { 0, 1, 0, (byte) (a ? 1 : 0), 0, 0, 0, 0 });
        out.write(query, 12, end - 12); // the question
        if (a) {
            out.writeBytes(new byte[] { (byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1 });
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws InterruptedException {
        this.socket.close();
        this.thread.join(5000);
    }
}
