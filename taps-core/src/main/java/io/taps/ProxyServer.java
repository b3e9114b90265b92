package io.taps;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One proxy a Connection may be established through: a SOCKS5 (RFC 1928, with RFC 1929
 * username/password authentication) or an HTTP CONNECT (RFC 9110 §9.3.6) proxy. RFC 9623 §4.1.2
 * lists proxies among the protocol options of the candidate tree ("HTTP proxy", "SOCKS"), and RFC
 * 9622 §4 lets an implementation race them: each proxy is one more branch of the tree under a path,
 * next to the direct branch, and its leaves are attempts whose first hop is the proxy. Immutable;
 * configured through {@link ProxyConfig}.
 *
 * <p>By default the proxy resolves the destination's host name ({@link #resolvesNames()}): taps
 * sends the RemoteEndpoint's host name unresolved, so a name only the proxy's network knows still
 * works and no local DNS query leaks the destination. With {@code resolvesNames(false)} taps resolves
 * the name itself (RFC 9623 §4.2) and asks the proxy for each resolved address, one leaf each.
 *
 * <p>The proxy's own host is resolved by taps like any endpoint. The password is never printed.
 */
public final class ProxyServer {
    /** The proxy protocol (RFC 9623 §4.1.2 protocol options). */
    public enum Type {
        /** SOCKS version 5 (RFC 1928), optionally with username/password authentication (RFC 1929). */
        SOCKS5("SOCKS5"),
        /** An HTTP proxy tunnelling with the CONNECT method (RFC 9110 §9.3.6), optionally with Basic authentication. */
        HTTP_CONNECT("HTTP CONNECT");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** The name reports use, e.g. {@code "SOCKS5"}. */
        public String label() {
            return label;
        }
    }

    private final Type type;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final boolean resolvesNames;
    // Computed once: every Connection through this proxy names it in its report and hashes it in
    // its candidate tree (Objects.hash boxed five values into a new array each time).
    private final String description;
    private final int hash;

    private ProxyServer(Type type, String host, int port, String username, String password, boolean resolvesNames) {
        this.type = Objects.requireNonNull(type, "type");
        if (host == null || host.isBlank()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "a proxy needs a host");
        }
        if (port < 1 || port > 65_535) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "proxy port must be 1..65535, was " + port);
        }
        if ((username == null) != (password == null)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "proxy credentials need both a username and a password");
        }
        if (type == Type.SOCKS5 && username != null && (username.length() > 255 || password.length() > 255)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "SOCKS5 username and password are at most 255 bytes each (RFC 1929)");
        }
        this.host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.resolvesNames = resolvesNames;
        String shown = this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host;
        this.description = type.label() + " proxy " + (username == null ? "" : username + "@") + shown + ":" + port;
        this.hash = Objects.hash(type, this.host, port, username, resolvesNames);
    }

    /** A SOCKS5 proxy at {@code host:port}, without authentication, that resolves names. */
    public static ProxyServer socks5(String host, int port) {
        return new ProxyServer(Type.SOCKS5, host, port, null, null, true);
    }

    /** An HTTP CONNECT proxy at {@code host:port}, without authentication, that resolves names. */
    public static ProxyServer httpConnect(String host, int port) {
        return new ProxyServer(Type.HTTP_CONNECT, host, port, null, null, true);
    }

    /** A proxy of {@code type} at {@code host:port}, without authentication, that resolves names. */
    public static ProxyServer of(Type type, String host, int port) {
        return new ProxyServer(type, host, port, null, null, true);
    }

    /**
     * This proxy with credentials: SOCKS5 username/password (RFC 1929) or HTTP Basic
     * ({@code Proxy-Authorization}, RFC 9110 §11.7.2). A proxy that rejects them fails the leaf with
     * {@link ErrorReason#PROXY_AUTHENTICATION_FAILED}.
     */
    public ProxyServer withCredentials(String newUsername, String newPassword) {
        return new ProxyServer(type, host, port, Objects.requireNonNull(newUsername, "username"),
                Objects.requireNonNull(newPassword, "password"), resolvesNames);
    }

    /**
     * Whether the proxy resolves the destination's host name (default true): taps then sends the
     * name unresolved; false makes taps resolve it and ask the proxy for addresses.
     */
    public ProxyServer resolvesNames(boolean proxyResolves) {
        return new ProxyServer(type, host, port, username, password, proxyResolves);
    }

    public Type type() {
        return type;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The password, for the proxy handshake only. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public boolean resolvesNames() {
        return resolvesNames;
    }

    /** The proxy's address, unresolved (taps resolves it when a leaf needs it). */
    public InetSocketAddress address() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** How reports name the proxy, e.g. {@code "SOCKS5 proxy 127.0.0.1:1080"}; never the password. */
    public String describe() {
        return description;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProxyServer that && type == that.type && port == that.port
                && host.equals(that.host) && Objects.equals(username, that.username)
                && Objects.equals(password, that.password) && resolvesNames == that.resolvesNames;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return describe() + (resolvesNames ? "" : " (names resolved locally)");
    }
}
