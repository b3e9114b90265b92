package io.taps.internal.gather;

import io.taps.ProxyServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The proxy a leaf of the candidate tree goes through (RFC 9623 §4.1.2 protocol option): the
 * configured proxy, the address its host resolved to (the attempt's first hop), and the stagger
 * between its branch and the next one.
 *
 * @param server the proxy as configured
 * @param address the proxy's resolved address
 * @param delay the stagger between this proxy's branch and a branch after it
 */
public record ProxyHop(ProxyServer server, InetSocketAddress address, Duration delay) {
    /** Rejects nulls and an unresolved address. */
    public ProxyHop {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(delay, "delay");
        if (address == null || address.isUnresolved()) {
            throw new IllegalArgumentException("a proxy hop needs the proxy's resolved address, got " + address);
        }
    }

    /** How reports name the hop: the proxy, and its address when the proxy was given by name. */
    public String describe() {
        String literal = io.netty.util.NetUtil.toAddressString(address.getAddress());
        String configured = server.describe();
        return configured.contains(literal) || configured.contains("[" + literal + "]") ? configured
                : configured + " (" + (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ")";
    }
}
