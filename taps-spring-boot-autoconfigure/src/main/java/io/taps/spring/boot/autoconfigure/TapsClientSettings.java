package io.taps.spring.boot.autoconfigure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.util.MimeType;

/**
 * {@code taps.clients.<name>.*}: one {@link io.taps.spring.client.TapsClient}, a Preconnection
 * (RFC 9622 §6) built from a property profile plus the remote endpoint it talks to, how its
 * payloads are converted, how long a request waits for its reply, how it reconnects after its
 * Connection closed or failed, and how many Connections of a multistreaming group it may use.
 */
public class TapsClientSettings {

    /** Property profile the client's Preconnection is built from. */
    private String profile = TapsProfiles.DEFAULT_PROFILE;

    /** The remote endpoint; unset keys keep the profile's remote endpoint. */
    private final Remote remote = new Remote();

    /**
     * Content type of the payloads the client sends and of the replies it reads, for example
     * application/json; unset lets the Java type choose the converter.
     */
    private @Nullable MimeType contentType;

    /** How long a send or request waits for Sent or its reply, including waiting for a Connection. */
    private Duration requestTimeout = Duration.ofSeconds(5);

    private final Reconnect reconnect = new Reconnect();

    private final Pool pool = new Pool();

    public String getProfile() {
        return this.profile;
    }

    public void setProfile(String profile) {
        this.profile = profile;
    }

    public Remote getRemote() {
        return this.remote;
    }

    public @Nullable MimeType getContentType() {
        return this.contentType;
    }

    public void setContentType(@Nullable MimeType contentType) {
        this.contentType = contentType;
    }

    public Duration getRequestTimeout() {
        return this.requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public Reconnect getReconnect() {
        return this.reconnect;
    }

    public Pool getPool() {
        return this.pool;
    }

    /** The Remote Endpoint of the client (RFC 9622 §6.1). */
    public static class Remote {

        /** Host name or IP literal of the peer. */
        private @Nullable String host;

        /**
         * Port of the peer, or a placeholder resolved each time the client connects, such as
         * ${local.taps.echo.port} for a listener of the same application on an ephemeral port.
         */
        private @Nullable String port;

        /** Service name instead of a port (RFC 9622 §6.1), for example https. */
        private @Nullable String service;

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable String getPort() {
            return this.port;
        }

        public void setPort(@Nullable String port) {
            this.port = port;
        }

        public @Nullable String getService() {
            return this.service;
        }

        public void setService(@Nullable String service) {
            this.service = service;
        }
    }

    /** Exponential back-off between attempts to establish a new Connection after the last one closed or failed. */
    public static class Reconnect {

        /** Delay before the first attempt after a Connection closed or failed. */
        private Duration initialBackoff = Duration.ofMillis(100);

        /** Longest delay between two attempts. */
        private Duration maxBackoff = Duration.ofSeconds(30);

        /** Factor applied to the delay after each failed attempt; at least 1. */
        private double multiplier = 2.0;

        public Duration getInitialBackoff() {
            return this.initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return this.maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getMultiplier() {
            return this.multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }
    }

    /** How the client reuses its Connection and bounds the work waiting on it. */
    public static class Pool {

        /**
         * Most Connections of the client's Connection Group used at once on a multistreaming stack
         * (QUIC: clones are streams of one connection); byte streams and datagrams use one Connection.
         */
        private int maxConnections = 8;

        /** Most sends and requests in flight or waiting; beyond it a call fails at once. */
        private int maxPending = 1000;

        public int getMaxConnections() {
            return this.maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public int getMaxPending() {
            return this.maxPending;
        }

        public void setMaxPending(int maxPending) {
            this.maxPending = maxPending;
        }
    }
}
