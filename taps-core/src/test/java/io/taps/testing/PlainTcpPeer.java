package io.taps.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A plain-JDK TCP server on 127.0.0.1 for tests that need a peer taps does not control: it
 * accepts one connection and runs a scripted behaviour on it in its own thread.
 */
public final class PlainTcpPeer implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "plain-tcp-peer");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** A behaviour run on the accepted socket; it may throw. */
    public interface Script {
        void run(Socket socket) throws Exception;
    }

    private PlainTcpPeer(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread.execute(() -> {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                script.run(socket);
                done.complete(null);
            } catch (Throwable failure) {
                done.completeExceptionally(failure);
            }
        });
    }

    public static PlainTcpPeer start(Script script) throws IOException {
        return new PlainTcpPeer(script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Completes when the script returned, exceptionally if it threw. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /** Reads until the peer's FIN and returns every byte. */
    public static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    /** A script that reads to EOF and hands the bytes to {@code sink}. */
    public static Script collect(Consumer<byte[]> sink) {
        return socket -> sink.accept(readToEnd(socket.getInputStream()));
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.shutdownNow();
    }
}
