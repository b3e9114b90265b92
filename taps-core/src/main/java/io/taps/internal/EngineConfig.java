package io.taps.internal;

import io.taps.RacingConfig;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The settings a {@link Engine} is built from; see {@code TransportServices.Builder}.
 * {@code protocols} are the application's protocol stacks (design.md Q-15), ahead of the built-ins.
 */
public record EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
        Path hostsFile, Executor eventExecutor, Duration shutdownTimeout, RacingConfig racing,
        List<ProtocolStack> protocols) {

    public EngineConfig {
        nameServers = List.copyOf(nameServers);
        racing = racing == null ? RacingConfig.defaults() : racing;
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
    }

    /** The settings without protocol stacks of the application's own. */
    public EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
            Path hostsFile, Executor eventExecutor, Duration shutdownTimeout, RacingConfig racing) {
        this(eventLoopThreads, nativeTransport, nameServers, hostsFile, eventExecutor, shutdownTimeout, racing, null);
    }

    /** The settings before racing was configurable; racing gets its defaults. */
    public EngineConfig(int eventLoopThreads, boolean nativeTransport, List<InetSocketAddress> nameServers,
            Path hostsFile, Executor eventExecutor, Duration shutdownTimeout) {
        this(eventLoopThreads, nativeTransport, nameServers, hostsFile, eventExecutor, shutdownTimeout, null);
    }
}
