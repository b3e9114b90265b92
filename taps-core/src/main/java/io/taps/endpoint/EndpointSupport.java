package io.taps.endpoint;

import io.netty.util.NetUtil;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Validation and parsing shared by {@link LocalEndpoint} and {@link RemoteEndpoint} (RFC 9622
 * §6.1; checklist A-02, C-11). Package-private so that the public surface stays the two endpoint
 * types.
 */
final class EndpointSupport {

    /**
     * The well-known ports taps knows without asking the platform: {@code /etc/services} is not
     * portable and an SRV lookup would turn a configuration mistake into a network round trip, so
     * a small fixed table (IANA service names) is the predictable choice.
     */
    static final Map<String, Integer> WELL_KNOWN_SERVICES = Map.ofEntries(
            Map.entry("ftp", 21),
            Map.entry("ssh", 22),
            Map.entry("telnet", 23),
            Map.entry("smtp", 25),
            Map.entry("domain", 53),
            Map.entry("http", 80),
            Map.entry("pop3", 110),
            Map.entry("ntp", 123),
            Map.entry("imap", 143),
            Map.entry("snmp", 161),
            Map.entry("ldap", 389),
            Map.entry("https", 443),
            Map.entry("submissions", 465),
            Map.entry("syslog", 514),
            Map.entry("rtsp", 554),
            Map.entry("submission", 587),
            Map.entry("ldaps", 636),
            Map.entry("domain-s", 853),
            Map.entry("imaps", 993),
            Map.entry("pop3s", 995),
            Map.entry("mqtt", 1883),
            Map.entry("sip", 5060),
            Map.entry("sips", 5061),
            Map.entry("xmpp-client", 5222),
            Map.entry("xmpp-server", 5269),
            Map.entry("coap", 5683),
            Map.entry("coaps", 5684),
            Map.entry("http-alt", 8080),
            Map.entry("secure-mqtt", 8883));

    private EndpointSupport() {
    }

    static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }

    static int checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw invalid("port " + port + " is outside 0..65535");
        }
        return port;
    }

    /** An IP literal split into address and optional zone; the zone becomes the interface (A-02). */
    record Literal(InetAddress address, String zone) {
    }

    /**
     * Parses an IP literal without ever touching DNS: {@code InetAddress.getByName} would resolve
     * anything that is not a literal, which must not happen while an endpoint is being built.
     */
    static Optional<Literal> parseLiteral(String text) {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        String zone = null;
        int percent = s.indexOf('%');
        if (percent >= 0) {
            zone = s.substring(percent + 1);
            s = s.substring(0, percent);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return Optional.empty();
        }
        if (zone != null && bytes.length != 16) {
            throw invalid("IP literal '" + text + "' has a zone but is not IPv6");
        }
        try {
            return Optional.of(new Literal(InetAddress.getByAddress(bytes), zone));
        } catch (UnknownHostException e) {
            // getByAddress only fails for a wrong array length, which NetUtil never returns.
            throw new IllegalStateException(e);
        }
    }

    static Literal requireLiteral(String text) {
        if (text == null) {
            throw invalid("IP address literal is null");
        }
        return parseLiteral(text).orElseThrow(
                () -> invalid("'" + text + "' is not an IPv4 or IPv6 address literal"));
    }

    /**
     * Checks a host name against RFC 1123 (labels of 1..63 letters, digits and hyphens, no hyphen
     * at either end of a label, at most 253 characters without the optional root dot). A final
     * all-numeric label is refused too (RFC 3696 §2), because {@code 256.1.1.1} is a mistyped
     * address far more often than a name. Non-ASCII names are converted to their IDNA A-label form
     * first, so that what is validated is what goes on the wire.
     */
    static String checkHostName(String name) {
        if (name == null || name.isEmpty()) {
            throw invalid("host name is empty");
        }
        String ascii = name;
        if (!name.chars().allMatch(c -> c < 0x80)) {
            try {
                ascii = IDN.toASCII(name, 0);
            } catch (IllegalArgumentException e) {
                throw invalid("host name '" + name + "' is not a valid internationalized name: "
                        + e.getMessage());
            }
        }
        String body = ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (body.isEmpty()) {
            throw invalid("host name '" + name + "' has no labels");
        }
        if (body.length() > 253) {
            throw invalid("host name '" + name + "' is longer than 253 characters");
        }
        String[] labels = body.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) {
                throw invalid("host name '" + name + "' has a label of " + label.length()
                        + " characters; each label must have 1..63");
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                throw invalid("host name '" + name + "' has label '" + label
                        + "' that starts or ends with a hyphen");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    throw invalid("host name '" + name + "' contains '" + c
                            + "'; only letters, digits and hyphens are allowed");
                }
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw invalid("host name '" + name + "' ends in an all-numeric label and is not a valid"
                    + " IP address literal either");
        }
        return ascii;
    }

    static String checkInterfaceName(String name) {
        if (name == null || name.isEmpty()) {
            throw invalid("interface name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '%') {
                throw invalid("interface name '" + name + "' contains a space, control character,"
                        + " '/' or '%'");
            }
        }
        return name;
    }

    /**
     * Checks a service name (RFC 6335 §5.1 syntax: 1..15 letters, digits and hyphens, at least one
     * letter, no hyphen at either end and no double hyphen) or a numeric port string. Names are
     * lower-cased because IANA service names are case-insensitive.
     */
    static String checkService(String service) {
        if (service == null || service.isEmpty()) {
            throw invalid("service is empty");
        }
        if (service.chars().allMatch(Character::isDigit)) {
            int port;
            try {
                port = Integer.parseInt(service);
            } catch (NumberFormatException e) {
                throw invalid("numeric service '" + service + "' is outside 0..65535");
            }
            checkPort(port);
            return service;
        }
        String s = service.toLowerCase(Locale.ROOT);
        boolean syntaxOk = s.length() <= 15
                && s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                && s.chars().anyMatch(c -> c >= 'a' && c <= 'z')
                && s.charAt(0) != '-' && s.charAt(s.length() - 1) != '-'
                && !s.contains("--");
        if (!syntaxOk) {
            throw invalid("service '" + service + "' is not a valid service name (RFC 6335: 1..15"
                    + " letters, digits, hyphens) or port number");
        }
        return s;
    }

    /** The port a service stands for, or empty when taps does not know it. */
    static OptionalInt servicePort(String service) {
        if (service.chars().allMatch(Character::isDigit)) {
            return OptionalInt.of(Integer.parseInt(service));
        }
        Integer port = WELL_KNOWN_SERVICES.get(service);
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    static int effectivePort(Integer port, String service) {
        if (port != null) {
            return port;
        }
        if (service != null) {
            return servicePort(service).orElse(0);
        }
        return 0;
    }

    /** Formats an address the way URIs do, so that an IPv6 port suffix is never ambiguous. */
    static String formatAddress(InetAddress address) {
        String text = NetUtil.toAddressString(address);
        return address instanceof Inet6Address ? "[" + text + "]" : text;
    }

    /** Shared toString layout: {@code host/ip:port @interface}. */
    static String describe(String hostName, InetAddress ip, Integer port, String service,
            String interfaceName) {
        StringBuilder sb = new StringBuilder();
        if (hostName != null) {
            sb.append(hostName);
            if (ip != null) {
                sb.append('/').append(formatAddress(ip));
            }
        } else if (ip != null) {
            sb.append(formatAddress(ip));
        } else {
            sb.append('*');
        }
        if (port != null) {
            sb.append(':').append(port);
        } else if (service != null) {
            sb.append(':').append(service);
        }
        if (interfaceName != null) {
            sb.append(" @").append(interfaceName);
        }
        return sb.toString();
    }
}
