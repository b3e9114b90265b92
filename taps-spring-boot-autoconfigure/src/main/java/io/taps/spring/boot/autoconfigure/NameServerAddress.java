package io.taps.spring.boot.autoconfigure;

import io.netty.util.NetUtil;
import io.taps.ErrorReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Reads one {@code taps.name-servers} entry, the DNS server the resolver of RFC 9623 §4.2 asks:
 * {@code 127.0.0.1:5353}, {@code [::1]:5353} (IPv6 with a port is always bracketed, RFC 3986
 * §3.2.2), or a bare address ({@code 127.0.0.1}, {@code ::1}, {@code [::1]}) on port 53.
 *
 * <p>An unbracketed IPv6 literal whose last group is decimal and whose remaining text is itself an
 * IPv6 address (such as {@code ::1:5353} or {@code fe80::1:53}) fails: it could be either the
 * address alone on port 53 or an address and a port, and guessing would silently ask the wrong
 * server.
 */
final class NameServerAddress {
    static final int DNS_PORT = 53;

    private NameServerAddress() {
    }

    /** The address of {@code text}; {@code key} names the entry in errors. */
    static InetSocketAddress parse(String key, String text) {
        String value = text.trim();
        if (value.isEmpty()) {
            throw invalid(key, text, "is empty");
        }
        if (value.startsWith("[")) {
            return bracketed(key, text, value);
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            return address(key, text, value, DNS_PORT);
        }
        if (colon == value.lastIndexOf(':')) {
            return address(key, text, value.substring(0, colon), port(key, text, value.substring(colon + 1)));
        }
        if (!NetUtil.isValidIpV6Address(value)) {
            throw invalid(key, text, "is neither host:port nor an IPv6 address");
        }
        int last = value.lastIndexOf(':');
        String head = value.substring(0, last);
        String tail = value.substring(last + 1);
        if (!tail.isEmpty() && tail.chars().allMatch(Character::isDigit) && NetUtil.isValidIpV6Address(head)
                && !isUnspecified(head)) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                    "'" + text + "' is ambiguous: the IPv6 address " + value + " on port 53, or " + head + " on port "
                            + tail,
                    "Write an IPv6 name server in brackets: [" + head + "]:" + tail + " for port " + tail + ", or ["
                            + value + "] for port 53.",
                    null);
        }
        return address(key, text, value, DNS_PORT);
    }

    private static InetSocketAddress bracketed(String key, String text, String value) {
        int close = value.indexOf(']');
        if (close < 0) {
            throw invalid(key, text, "has no closing ']'");
        }
        String host = value.substring(1, close);
        if (!NetUtil.isValidIpV6Address(host)) {
            throw invalid(key, text, "has no IPv6 address inside the brackets");
        }
        String rest = value.substring(close + 1);
        if (rest.isEmpty()) {
            return address(key, text, host, DNS_PORT);
        }
        if (!rest.startsWith(":")) {
            throw invalid(key, text, "has '" + rest + "' after ']' instead of :port");
        }
        return address(key, text, host, port(key, text, rest.substring(1)));
    }

    private static boolean isUnspecified(String ipv6) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ipv6);
        if (bytes == null) {
            return false;
        }
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static int port(String key, String text, String port) {
        try {
            int value = Integer.parseInt(port);
            if (value >= 1 && value <= 65535) {
                return value;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw invalid(key, text, "has port '" + port + "', not a number from 1 to 65535");
    }

    private static InetSocketAddress address(String key, String text, String host, int port) {
        if (host.isEmpty()) {
            throw invalid(key, text, "has no host");
        }
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        try {
            if (literal != null) {
                return new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
            }
            // A host name is resolved once, at start-up, by the platform resolver.
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (UnknownHostException ex) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                    "name server host '" + host + "' does not resolve",
                    "Give the name server as an IP address, e.g. 127.0.0.1:53 or [::1]:53.", ex);
        }
    }

    private static TapsConfigurationException invalid(String key, String text, String problem) {
        return new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key, "'" + text + "' " + problem,
                "Write each name server as address:port or a bare address for port 53: 127.0.0.1:5353, [::1]:5353, "
                        + "127.0.0.1, ::1.",
                null);
    }
}
