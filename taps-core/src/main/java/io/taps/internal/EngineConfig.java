package io.taps.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The settings a {@link Engine} is built from; see {@code TransportServices.Builder}. */
public record EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
        Path hostsFile, Executor eventExecutor, java.time.Duration shutdownTimeout) {

    public EngineConfig {
        nameServers = List.copyOf(nameServers);
    }

    /** The shutdown timeout as a Duration (kept as a method so callers need no import). */
    public Duration shutdown() {
        return shutdownTimeout;
    }
}
