package io.taps.internal.gather;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The path level of the candidate tree (RFC 9623 §4.1.1): a local address to bind, with the
 * interface it belongs to, or the default path on which the operating system chooses.
 *
 * @param address the local address, {@code null} for the OS's choice
 * @param port the local port, 0 for ephemeral
 * @param interfaceName the interface the address belongs to, if known
 */
public record LocalPath(InetAddress address, int port, String interfaceName) {
    /** No local endpoint and no interface preference: the OS picks the source (one path). */
    public static final LocalPath DEFAULT = new LocalPath(null, 0, null);

    /** Whether this path can reach {@code remote} (same address family, or the OS's choice). */
    public boolean matches(InetSocketAddress remote) {
        return address == null || remote.getAddress() == null
                || (address instanceof Inet4Address) == (remote.getAddress() instanceof Inet4Address);
    }

    /** The address to bind, or {@code null} to let the OS choose address and port. */
    public InetSocketAddress bindAddress() {
        if (address == null) {
            return port == 0 ? null : new InetSocketAddress(port);
        }
        return new InetSocketAddress(address, port);
    }

    /** Short description for the establishment report. */
    public String describe() {
        if (address == null) {
            return port == 0 ? "default (chosen by the OS)" : "any address, port " + port;
        }
        String host = io.netty.util.NetUtil.toAddressString(address);
        return (interfaceName == null ? "" : interfaceName + " ") + host + (port == 0 ? "" : " port " + port);
    }

    /** The /24 (IPv4) or /64 (IPv6) prefix of {@code address}, e.g. {@code 192.0.2.0/24}. */
    public static String prefixOf(InetAddress address) {
        byte[] bytes = address.getAddress();
        int prefix = address instanceof Inet4Address ? 24 : 64;
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return io.netty.util.NetUtil.toAddressString(InetAddress.getByAddress(bytes)) + "/" + prefix;
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
