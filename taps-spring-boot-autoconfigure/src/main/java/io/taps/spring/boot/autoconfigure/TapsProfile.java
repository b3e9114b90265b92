package io.taps.spring.boot.autoconfigure;

import io.taps.ProxyConfig;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One resolved property profile ({@code taps.profiles.<name>}, RFC 9622 §6 and Appendix B.2):
 * the Transport Properties, Security Parameters, framer chain and endpoints a Preconnection is
 * built from, after its base profile was applied and every value was checked. Immutable.
 *
 * @param name the profile's name
 * @param transportProperties Selection, Connection and default Message Properties
 * @param securityParameters the Security Parameters ({@link SecurityParameters#secureDefault()} unless configured; {@link SecurityParameters#disabled()} for cleartext)
 * @param framerNames the framer names, the first nearest the application
 * @param framers the framer factories in the same order
 * @param local the local endpoint settings, or {@code null} when the profile gives none
 * @param remote the remote endpoint settings, or {@code null} when the profile gives none
 * @param proxies the proxies of Preconnections built from the profile (RFC 9623 §4.1.2), or
 *        {@code null} when the profile sets none and {@code taps.proxies} applies
 */
public record TapsProfile(String name, TransportProperties transportProperties, SecurityParameters securityParameters,
        List<String> framerNames, List<FramerFactory> framers, @Nullable EndpointSettings local,
        @Nullable EndpointSettings remote, @Nullable ProxyConfig proxies) {

    public TapsProfile {
        framerNames = List.copyOf(framerNames);
        framers = List.copyOf(framers);
    }

    /** A profile without proxies of its own. */
    public TapsProfile(String name, TransportProperties transportProperties, SecurityParameters securityParameters,
            List<String> framerNames, List<FramerFactory> framers, @Nullable EndpointSettings local,
            @Nullable EndpointSettings remote) {
        this(name, transportProperties, securityParameters, framerNames, framers, local, remote, null);
    }

    /** The remote endpoint, when the profile gives a host and a port. */
    public Optional<RemoteEndpoint> remoteEndpoint() {
        if (this.remote == null || this.remote.host() == null || this.remote.port() == null) {
            return Optional.empty();
        }
        RemoteEndpoint.Builder builder = RemoteEndpoint.builder().withPort(this.remote.port());
        if (EndpointSettings.isIpLiteral(this.remote.host())) {
            builder.withIpAddress(this.remote.host());
        }
        else {
            builder.withHostName(this.remote.host());
        }
        if (this.remote.interfaceName() != null) {
            builder.withInterface(this.remote.interfaceName());
        }
        return Optional.of(builder.build());
    }

    /** The local endpoint with {@code host} and {@code port} overriding the profile's when not null. */
    public Optional<LocalEndpoint> localEndpoint(@Nullable String host, @Nullable Integer port) {
        String effectiveHost = host != null ? host : (this.local != null ? this.local.host() : null);
        Integer effectivePort = port != null ? port : (this.local != null ? this.local.port() : null);
        String interfaceName = this.local != null ? this.local.interfaceName() : null;
        if (effectiveHost == null && effectivePort == null && interfaceName == null) {
            return Optional.empty();
        }
        LocalEndpoint.Builder builder = LocalEndpoint.builder();
        if (effectiveHost != null) {
            if (EndpointSettings.isIpLiteral(effectiveHost)) {
                builder.withIpAddress(effectiveHost);
            }
            else {
                builder.withHostName(effectiveHost);
            }
        }
        if (effectivePort != null) {
            builder.withPort(effectivePort);
        }
        if (interfaceName != null) {
            builder.withInterface(interfaceName);
        }
        return Optional.of(builder.build());
    }

    /**
     * The endpoint settings of a profile (RFC 9622 §6.1).
     *
     * @param host host name or IP literal, or {@code null}
     * @param port port, or {@code null}
     * @param interfaceName interface name, or {@code null}
     */
    public record EndpointSettings(@Nullable String host, @Nullable Integer port, @Nullable String interfaceName) {

        static boolean isIpLiteral(String host) {
            return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        }
    }
}
