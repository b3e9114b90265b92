package io.taps.internal.resolve;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.HTTPSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SVCBBase;
import org.xbill.DNS.Type;

/**
 * One usable ServiceMode HTTPS record (RFC 9460 §2.4.3, §7, §9): the alternative endpoint of the
 * origin itself (TargetName "."), with the SvcParams taps applies to candidate gathering (RFC 9623
 * §4.2; draft-ietf-happy-happyeyeballs-v3 "SVCB/HTTPS records"). Parsed with dnsjava from the raw
 * RDATA Netty's resolver returns.
 *
 * @param priority the SvcPriority, lower first (never 0: AliasMode records are not bindings)
 * @param alpn the {@code alpn} ids in record order
 * @param defaultAlpn false when {@code no-default-alpn} is present
 * @param port the {@code port} SvcParam, 0 when absent (the origin's port applies)
 * @param ipv4Hints the {@code ipv4hint} addresses
 * @param ipv6Hints the {@code ipv6hint} addresses
 * @param echConfigBytes the length of the {@code ech} ECHConfigList, 0 when absent; recorded, not
 *     used (taps does not offer Encrypted Client Hello)
 */
public record ServiceBinding(int priority, List<String> alpn, boolean defaultAlpn, int port,
        List<InetAddress> ipv4Hints, List<InetAddress> ipv6Hints, int echConfigBytes) {

    /** The SvcParamKeys whose meaning taps knows; a record that makes another one mandatory is skipped (RFC 9460 §8). */
    private static final Set<Integer> UNDERSTOOD = Set.of(SVCBBase.MANDATORY, SVCBBase.ALPN,
            SVCBBase.NO_DEFAULT_ALPN, SVCBBase.PORT, SVCBBase.IPV4HINT, SVCBBase.ECH, SVCBBase.IPV6HINT);

    /** Copies the lists. */
    public ServiceBinding {
        alpn = List.copyOf(alpn);
        ipv4Hints = List.copyOf(ipv4Hints);
        ipv6Hints = List.copyOf(ipv6Hints);
    }

    /** The hints of both families, IPv6 first. */
    public List<InetAddress> hints() {
        List<InetAddress> out = new ArrayList<>(ipv6Hints);
        out.addAll(ipv4Hints);
        return out;
    }

    /** What the establishment report says about this record. */
    public String describe() {
        StringBuilder b = new StringBuilder("priority ").append(priority).append(", alpn ").append(alpn);
        if (!defaultAlpn) {
            b.append(" (no-default-alpn)");
        }
        if (port != 0) {
            b.append(", port ").append(port);
        }
        if (!ipv4Hints.isEmpty()) {
            b.append(", ipv4hint ").append(addresses(ipv4Hints));
        }
        if (!ipv6Hints.isEmpty()) {
            b.append(", ipv6hint ").append(addresses(ipv6Hints));
        }
        if (echConfigBytes > 0) {
            b.append(", ech config of ").append(echConfigBytes)
                    .append(" bytes present but not used (taps does not offer Encrypted Client Hello)");
        }
        return b.toString();
    }

    private static List<String> addresses(List<InetAddress> list) {
        List<String> out = new ArrayList<>();
        list.forEach(a -> out.add(io.netty.util.NetUtil.toAddressString(a)));
        return out;
    }

    /**
     * Parses one HTTPS record's RDATA.
     *
     * @param owner the name that was queried (for dnsjava's record; TargetName "." refers to it)
     * @param rdata the record's wire-format RDATA
     * @param skipped where the reason goes when the record is well-formed but not usable
     * @return the binding, or null when the record is AliasMode, names another target, or makes a
     *     key taps does not understand mandatory
     * @throws IOException when the RDATA is malformed
     */
    static ServiceBinding parse(String owner, byte[] rdata, List<String> skipped) throws IOException {
        Name name = Name.fromString(owner.endsWith(".") ? owner : owner + ".");
        Record record = Record.newRecord(name, Type.HTTPS, DClass.IN, 0, rdata);
        if (!(record instanceof HTTPSRecord https)) {
            throw new IOException("not an HTTPS record: " + record);
        }
        if (https.getSvcPriority() == 0) {
            skipped.add("AliasMode record to " + https.getTargetName() + " not followed");
            return null;
        }
        if (!https.getTargetName().equals(Name.root) && !https.getTargetName().equals(name)) {
            skipped.add("record for another target " + https.getTargetName() + " not followed");
            return null;
        }
        if (https.getSvcParamValue(SVCBBase.MANDATORY) instanceof SVCBBase.ParameterMandatory mandatory) {
            for (Integer key : mandatory.getValues()) {
                if (!UNDERSTOOD.contains(key)) {
                    skipped.add("record with mandatory key " + key + " that taps does not understand skipped");
                    return null;
                }
            }
        }
        List<String> alpn = https.getSvcParamValue(SVCBBase.ALPN) instanceof SVCBBase.ParameterAlpn a
                ? a.getValues() : List.of();
        boolean defaultAlpn = https.getSvcParamValue(SVCBBase.NO_DEFAULT_ALPN) == null;
        int port = https.getSvcParamValue(SVCBBase.PORT) instanceof SVCBBase.ParameterPort p ? p.getPort() : 0;
        List<InetAddress> v4 = new ArrayList<>();
        if (https.getSvcParamValue(SVCBBase.IPV4HINT) instanceof SVCBBase.ParameterIpv4Hint h) {
            v4.addAll(h.getAddresses());
        }
        List<InetAddress> v6 = new ArrayList<>();
        if (https.getSvcParamValue(SVCBBase.IPV6HINT) instanceof SVCBBase.ParameterIpv6Hint h) {
            v6.addAll(h.getAddresses());
        }
        int ech = https.getSvcParamValue(SVCBBase.ECH) instanceof SVCBBase.ParameterEch e && e.getData() != null
                ? e.getData().length : 0;
        return new ServiceBinding(https.getSvcPriority(), alpn, defaultAlpn, port, v4, v6, ech);
    }
}
