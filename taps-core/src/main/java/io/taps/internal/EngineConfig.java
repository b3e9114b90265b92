package io.taps.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The settings a {@link Engine} is built from; see {@code TransportServices.Builder}. */
public record EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
        Path hostsFile, Executor eventExecutor, Duration shutdownTimeout) {

    public EngineConfig {
        nameServers = List.copyOf(nameServers);
    }
}
