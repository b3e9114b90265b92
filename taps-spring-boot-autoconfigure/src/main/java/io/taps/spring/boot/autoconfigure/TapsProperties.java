package io.taps.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the taps Transport Services system under {@code taps.*} (RFC 9622 §3). Property
 * profiles, listeners and racing timers arrive with the Spring Boot starter issue.
 */
@ConfigurationProperties("taps")
public class TapsProperties {

    /** Event loop threads; defaults to the number of processors. */
    private Integer eventLoopThreads;

    /** Whether to use Netty's native epoll transport when it is available. */
    private boolean nativeTransport = true;

    /** How long closing the system waits for connections and event loops to stop. */
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    public Integer getEventLoopThreads() {
        return eventLoopThreads;
    }

    public void setEventLoopThreads(Integer eventLoopThreads) {
        this.eventLoopThreads = eventLoopThreads;
    }

    public boolean isNativeTransport() {
        return nativeTransport;
    }

    public void setNativeTransport(boolean nativeTransport) {
        this.nativeTransport = nativeTransport;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }
}
