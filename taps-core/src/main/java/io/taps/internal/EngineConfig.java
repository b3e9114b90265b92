package io.taps.internal;

import io.taps.RacingConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The settings a {@link Engine} is built from; see {@code TransportServices.Builder}. */
public record EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
        Path hostsFile, Executor eventExecutor, Duration shutdownTimeout, RacingConfig racing) {

    public EngineConfig {
        nameServers = List.copyOf(nameServers);
        racing = racing == null ? RacingConfig.defaults() : racing;
    }

    /** The settings before racing was configurable; racing gets its defaults. */
    public EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
            Path hostsFile, Executor eventExecutor, Duration shutdownTimeout) {
        this(eventLoopThreads, nativeTransport, nameServers, hostsFile, eventExecutor, shutdownTimeout, null);
    }
}
