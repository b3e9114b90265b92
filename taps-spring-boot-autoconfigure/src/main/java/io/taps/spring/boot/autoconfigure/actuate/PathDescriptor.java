package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;

/**
 * One local network path in the taps endpoint (RFC 9623 §4.1.1, RFC 9622 §8.3.2; design.md Q-20):
 * an interface as the path monitor last saw it.
 *
 * @param name      the interface name, for example {@code lo}
 * @param type      {@code LOOPBACK}, {@code WIRED}, {@code WIFI}, {@code CELLULAR} or {@code OTHER}
 * @param up        whether the interface is up
 * @param addresses its addresses, compressed (for example {@code ::1})
 */
public record PathDescriptor(String name, String type, boolean up, List<String> addresses) {
}
