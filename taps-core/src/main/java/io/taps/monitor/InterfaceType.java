package io.taps.monitor;

import java.util.Locale;

/**
 * The kind of network interface a path runs over (RFC 9622 §6.2.11 {@code interface}, C-16 "Interface
 * Type"; design.md Q-20). Linux tells a JVM no interface type, so taps infers it from the name:
 * {@code lo} loopback, {@code eth}/{@code en} wired, {@code wl} Wi-Fi, {@code ww}/{@code rmnet}
 * cellular, anything else other. Interface types are not a proxy for "metered" (SP-11).
 */
public enum InterfaceType {
    /** The loopback interface ({@code lo}). */
    LOOPBACK,
    /** Ethernet ({@code eth*}, {@code en*}). */
    WIRED,
    /** Wireless LAN ({@code wl*}). */
    WIFI,
    /** Mobile broadband ({@code ww*}, {@code rmnet*}). */
    CELLULAR,
    /** Anything else: bridges, tunnels, veth, VPNs. */
    OTHER;

    /** The type the interface name suggests; never null. */
    public static InterfaceType fromName(String interfaceName) {
        String name = interfaceName == null ? "" : interfaceName.toLowerCase(Locale.ROOT);
        if (name.equals("lo") || name.startsWith("lo:")) {
            return LOOPBACK;
        }
        if (name.startsWith("eth") || name.startsWith("en")) {
            return WIRED;
        }
        if (name.startsWith("wl")) {
            return WIFI;
        }
        if (name.startsWith("ww") || name.startsWith("rmnet")) {
            return CELLULAR;
        }
        return OTHER;
    }
}
