package io.taps.internal.establish;

import io.taps.internal.resolve.ServiceBinding;
import io.taps.spi.ProtocolStack;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What an HTTPS record changes in the candidate tree (RFC 9460 §7, RFC 9623 §4.2,
 * draft-ietf-happy-happyeyeballs-v3 "SVCB/HTTPS"): the stacks the record's {@code alpn} names
 * ({@link ProtocolStack#speaksServiceAlpn}) move ahead of the others, so QUIC is a first-class branch
 * from the first attempt rather than a fallback after TCP; their leaves use the record's
 * {@code port}, and its {@code ipv4hint}/{@code ipv6hint} addresses for a family whose A or AAAA
 * query has ended without addresses (RFC 9460 §7.3: the address records win when they exist).
 * Stacks the record does not name keep the origin's port and addresses. Asks stacks only through
 * the protocol SPI.
 */
final class ServiceBindingPlan {
    private ServiceBindingPlan() {
    }

    /** The alpn ids the record offers, with the implicit default "http/1.1" unless no-default-alpn (RFC 9460 §7.1.2). */
    static List<String> alpnIds(ServiceBinding binding) {
        List<String> ids = new ArrayList<>(binding.alpn());
        if (binding.defaultAlpn() && !ids.contains("http/1.1")) {
            ids.add("http/1.1");
        }
        return ids;
    }

    /** Whether the record names {@code stack}. */
    static boolean names(ServiceBinding binding, ProtocolStack stack, List<String> applicationAlpn) {
        for (String id : alpnIds(binding)) {
            if (stack.speaksServiceAlpn(id, applicationAlpn)) {
                return true;
            }
        }
        return false;
    }

    /** The report's note on a record that was used: what it says and which stacks it put first. */
    static String note(String queriedName, ServiceBinding binding, List<ProtocolStack> stacks,
            List<String> applicationAlpn) {
        List<String> named = new ArrayList<>();
        for (ProtocolStack stack : stacks) {
            if (names(binding, stack, applicationAlpn)) {
                named.add(stack.capabilities().name());
            }
        }
        return "HTTPS record " + queriedName + ": " + binding.describe()
                + (named.isEmpty() ? "; it names none of the stacks raced" : "; raced first: " + String.join(", ", named));
    }

    /** The stacks the record names first, each group in its given order (stable). */
    static List<ProtocolStack> order(List<ProtocolStack> stacks, ServiceBinding binding, List<String> applicationAlpn) {
        if (binding == null) {
            return stacks;
        }
        List<ProtocolStack> named = new ArrayList<>();
        List<ProtocolStack> others = new ArrayList<>();
        for (ProtocolStack stack : stacks) {
            (names(binding, stack, applicationAlpn) ? named : others).add(stack);
        }
        named.addAll(others);
        return named;
    }

    /**
     * The addresses a named stack reaches: the resolved ones at the record's port, and the hints of
     * a family whose query ended empty.
     *
     * @param resolved the usable resolved addresses (origin port)
     * @param v6Ended whether AAAA has answered (or failed)
     * @param v4Ended whether A has answered (or failed)
     */
    static List<InetSocketAddress> endpoints(ServiceBinding binding, List<InetSocketAddress> resolved,
            boolean v6Ended, boolean v4Ended, int originPort) {
        int port = binding.port() != 0 ? binding.port() : originPort;
        List<InetSocketAddress> out = new ArrayList<>();
        boolean anyV6 = false;
        boolean anyV4 = false;
        for (InetSocketAddress address : resolved) {
            boolean v6 = address.getAddress() instanceof Inet6Address;
            anyV6 |= v6;
            anyV4 |= !v6;
            out.add(new InetSocketAddress(address.getAddress(), port));
        }
        if (v6Ended && !anyV6) {
            for (InetAddress hint : binding.ipv6Hints()) {
                out.add(new InetSocketAddress(hint, port));
            }
        }
        if (v4Ended && !anyV4) {
            for (InetAddress hint : binding.ipv4Hints()) {
                out.add(new InetSocketAddress(hint, port));
            }
        }
        return out;
    }
}
