package io.taps.spring.boot.autoconfigure;

import java.net.InetSocketAddress;

import io.taps.ErrorReason;

/**
 * Parses one {@code taps.name-servers} entry (the resolver used for RFC 9622 Section 6.1 name
 * resolution). Accepted forms: {@code 127.0.0.1:5353}, {@code [::1]:5353}, {@code [::1]},
 * {@code ::1} and {@code 127.0.0.1} (port 53 when none is given), {@code host:port}. An IPv6
 * address with a port must be bracketed: {@code ::1:5353} is rejected because it is itself a
 * valid IPv6 address, so a port cannot be told apart from the last group.
 */
final class NameServerAddress {

    static final int DEFAULT_PORT = 53;

    private static final String KEY = "taps.name-servers";

    private NameServerAddress() {
    }

    static InetSocketAddress parse(String entry) {
        String text = entry == null ? "" : entry.strip();
        if (text.isEmpty()) {
            throw invalid(entry, "is empty", null);
        }
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid(entry, "has '[' without ']'", null);
            }
            String host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                return address(entry, host, DEFAULT_PORT);
            }
            if (!rest.startsWith(":")) {
                throw invalid(entry, "has text after ']' that is not ':port'", null);
            }
            return address(entry, host, port(entry, rest.substring(1)));
        }
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first < 0) {
            return address(entry, text, DEFAULT_PORT);
        }
        if (first == last) {
            return address(entry, text.substring(0, first), port(entry, text.substring(first + 1)));
        }
        // Several colons: a bare IPv6 address. "::1:5353" is also a valid address, so a trailing
        // port would be silently read as the last group; a dotted tail ("::ffff:1.2.3.4") cannot be.
        String lastGroup = text.substring(last + 1);
        if (text.contains("::") && lastGroup.chars().allMatch(Character::isDigit) && !lastGroup.isEmpty()
                && text.indexOf("::") + 2 <= last) {
            throw invalid(entry, "is ambiguous: an IPv6 address and a port cannot be told apart; write ["
                    + text.substring(0, last) + "]:" + lastGroup + " for port " + lastGroup + " or [" + text
                    + "] for that address on port " + DEFAULT_PORT, null);
        }
        return address(entry, text, DEFAULT_PORT);
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw invalid(entry, "has port " + port + " outside 1-65535", null);
            }
            return port;
        }
        catch (NumberFormatException ex) {
            throw invalid(entry, "has port '" + text + "' that is not a number", ex);
        }
    }

    private static InetSocketAddress address(String entry, String host, int port) {
        if (host.isEmpty()) {
            throw invalid(entry, "has no host", null);
        }
        try {
            return new InetSocketAddress(host, port);
        }
        catch (IllegalArgumentException ex) {
            throw invalid(entry, "is not a valid address", ex);
        }
    }

    private static TapsConfigurationException invalid(String entry, String problem, Throwable cause) {
        return new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, KEY,
                "'" + entry + "' " + problem,
                "Write each name server as host, host:port, IPv4:port or [IPv6]:port, e.g. 127.0.0.1:5353 or [::1]:5353"
                        + " (port 53 when omitted).",
                cause);
    }
}
