package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsProperties;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * A registered {@link TapsListener} endpoint (RFC 9622 §7.2): its id, property profile, local
 * host and port (placeholders already resolved) and the handler method. Immutable.
 */
public final class TapsListenerEndpoint {
    private final String id;
    private final String profile;
    private final @Nullable String host;
    private final @Nullable Integer port;
    private final boolean autoStartup;
    private final Object bean;
    private final Method method;
    private final HandlerMethod handler;
    private final @Nullable String contentType;
    private final @Nullable String errorHandler;

    TapsListenerEndpoint(String id, String profile, @Nullable String host, @Nullable Integer port, boolean autoStartup,
            Object bean, Method method) {
        this(id, profile, host, port, autoStartup, bean, method, null, null);
    }

    TapsListenerEndpoint(String id, String profile, @Nullable String host, @Nullable Integer port, boolean autoStartup,
            Object bean, Method method, @Nullable String contentType, @Nullable String errorHandler) {
        this(id, profile, host, port, autoStartup, bean, method, HandlerMethod.forMessages(bean, method), contentType,
                errorHandler);
    }

    private TapsListenerEndpoint(String id, String profile, @Nullable String host, @Nullable Integer port,
            boolean autoStartup, Object bean, Method method, HandlerMethod handler, @Nullable String contentType,
            @Nullable String errorHandler) {
        this.contentType = contentType;
        this.errorHandler = errorHandler;
        this.id = id;
        this.profile = profile;
        this.host = host;
        this.port = port;
        this.autoStartup = autoStartup;
        this.bean = bean;
        this.method = method;
        this.handler = handler;
    }

    /** This endpoint with every non-null value of {@code settings} replacing its own. */
    TapsListenerEndpoint with(TapsProperties.ListenerSettings settings) {
        return new TapsListenerEndpoint(this.id, settings.getProfile() != null ? settings.getProfile() : this.profile,
                settings.getHost() != null ? settings.getHost() : this.host,
                settings.getPort() != null ? settings.getPort() : this.port,
                settings.getAutoStartup() != null ? settings.getAutoStartup() : this.autoStartup, this.bean,
                this.method, this.handler,
                settings.getContentType() != null ? settings.getContentType() : this.contentType,
                settings.getErrorHandler() != null ? settings.getErrorHandler() : this.errorHandler);
    }

    /** The listener id. */
    public String id() {
        return this.id;
    }

    /** The property profile name. */
    public String profile() {
        return this.profile;
    }

    /** The local host or address from the annotation, or null to use the profile's. */
    public @Nullable String host() {
        return this.host;
    }

    /** The local port from the annotation (0 for ephemeral), or null to use the profile's. */
    public @Nullable Integer port() {
        return this.port;
    }

    /** Whether the listener starts with the context. */
    public boolean autoStartup() {
        return this.autoStartup;
    }

    /** The bean holding the handler method. */
    public Object bean() {
        return this.bean;
    }

    /** The handler method. */
    public Method method() {
        return this.method;
    }

    /**
     * The content type from the annotation ({@code @TapsListener(contentType = ...)}), or null to
     * use the profile's {@code content-type}, else to let the converters decide by the Java type.
     */
    public @Nullable String contentType() {
        return this.contentType;
    }

    /** The bean name of the listener's {@link TapsListenerErrorHandler}, or null for the context's. */
    public @Nullable String errorHandler() {
        return this.errorHandler;
    }

    HandlerMethod handler() {
        return this.handler;
    }

    @Override
    public String toString() {
        return "TapsListenerEndpoint[id=" + this.id + ", profile=" + this.profile + ", host=" + this.host + ", port="
                + this.port + ", handler=" + this.handler + "]";
    }
}
