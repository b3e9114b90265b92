package io.taps.reliability;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.security.SecurityParameters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The child JVM of {@link AcceptExhaustionTest}: a TCP Listener that keeps every Connection it
 * receives, so that once the parent lowered this process's file descriptor limit, accept() fails
 * with EMFILE. Prints {@code key=value} lines for the parent: {@code port}, {@code pid},
 * {@code acceptFailed} (each AcceptFailed event), {@code received} (running count). On the line
 * {@code release} from stdin it aborts what it holds and then every new Connection, freeing
 * descriptors so that accepting can recover; {@code exit} ends it.
 */
public final class AcceptExhaustionServer {
    private AcceptExhaustionServer() {
    }

    public static void main(String[] args) throws Exception {
        // Once descriptors run out, loading a class from a directory fails: load them all now.
        preloadClasses(Listener.class);
        preloadClasses(AcceptExhaustionServer.class);
        List<Connection> held = new CopyOnWriteArrayList<>();
        AtomicInteger received = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean releasing = new java.util.concurrent.atomic.AtomicBoolean();
        ListenerEventHandler handler = new ListenerEventHandler() {
            @Override
            public void connectionReceived(Connection connection) {
                if (releasing.get()) {
                    connection.abort();
                } else {
                    held.add(connection);
                }
                say("received=" + received.incrementAndGet());
            }

            @Override
            public void acceptFailed(Listener listener, TransportServicesException error) {
                say("acceptFailed=" + error.reason().rfcName() + "|" + error.getMessage().replace('\n', ' '));
            }
        };
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .security(SecurityParameters.disabled()).build().listen(handler);
            listener.ready().toCompletableFuture().get();
            // Warm up the accept path once, so nothing on it needs a descriptor for the first time later.
            try (Socket warmUp = new Socket("127.0.0.1", listener.port())) {
                while (received.get() == 0) {
                    Thread.sleep(10);
                }
            }
            held.forEach(Connection::abort);
            held.clear();
            say("port=" + listener.port());
            say("pid=" + ProcessHandle.current().pid());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null && !command.equals("exit")) {
                if (command.equals("release")) {
                    releasing.set(true);
                    held.forEach(Connection::abort);
                    held.clear();
                    say("released");
                }
            }
            listener.close();
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void preloadClasses(Class<?> anchor) throws URISyntaxException, java.io.IOException {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(file -> file.toString().endsWith(".class")).forEach(file -> {
                String name = root.relativize(file).toString().replace('/', '.').replace(".class", "");
                try {
                    Class.forName(name, false, AcceptExhaustionServer.class.getClassLoader());
                } catch (Throwable unloadable) {
                    // A test class whose dependencies are absent here; not on the accept path.
                }
            });
        }
    }
}
