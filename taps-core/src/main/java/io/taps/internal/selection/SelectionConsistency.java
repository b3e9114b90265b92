package io.taps.internal.selection;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Direction;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * Detects Transport Properties that contradict each other, before any stack is considered
 * (RFC 9623 §3.1, SEL-04b): such a configuration is wrong on every system, so it is
 * InvalidConfiguration rather than NoCandidates. The rules:
 * <ol>
 *   <li><b>perMsgReliability Require with reliability Prohibit</b>: configuring reliability per
 *       Message needs a protocol that can be reliable, which Prohibit excludes (the RFC 9623 §3.1
 *       example).</li>
 *   <li><b>zeroRttMsg Require with direction unidirectional-receive</b>: 0-RTT means sending a
 *       Message during establishment, and the Connection can never send.</li>
 *   <li><b>keepAlive Require with keepAliveTimeout explicitly Disabled, or explicitly longer than
 *       an explicit connTimeout</b>: RFC 9622 §8.1.4 says both turn keep-alives off.</li>
 *   <li><b>msgReliable=false as a Message default with reliability Require and perMsgReliability
 *       Prohibit</b>: MP-07 allows unreliable Messages only where per-message reliability is
 *       enabled.</li>
 * </ol>
 * Deliberately not contradictions: preserveOrder Require with reliability Prohibit (ordered but
 * unreliable delivery, where late Messages are dropped, is a valid service); multipath Active on a
 * system without a multipath stack (RFC 9622 §6.2.14: "if the chosen transport supports" it, so it
 * only ranks, never fails).
 */
final class SelectionConsistency {
    private SelectionConsistency() {
    }

    static void check(TransportProperties props, Role role) {
        List<String> problems = new ArrayList<>();
        if (props.get(Property.PER_MSG_RELIABILITY, role) == Preference.REQUIRE
                && props.get(Property.RELIABILITY, role) == Preference.PROHIBIT) {
            problems.add("perMsgReliability=REQUIRE needs a reliable-capable protocol but reliability=PROHIBIT");
        }
        if (props.get(Property.ZERO_RTT_MSG, role) == Preference.REQUIRE
                && props.get(Property.DIRECTION, role) == Direction.UNIDIRECTIONAL_RECEIVE) {
            problems.add("zeroRttMsg=REQUIRE sends during establishment but direction=UNIDIRECTIONAL_RECEIVE never sends");
        }
        if (props.get(Property.KEEP_ALIVE, role) == Preference.REQUIRE && props.isSet(Property.KEEP_ALIVE_TIMEOUT)) {
            Timeout keepAlive = props.get(Property.KEEP_ALIVE_TIMEOUT);
            Timeout connTimeout = props.get(Property.CONN_TIMEOUT);
            if (keepAlive.isNone()) {
                problems.add("keepAlive=REQUIRE but keepAliveTimeout=Disabled turns keep-alives off");
            } else if (props.isSet(Property.CONN_TIMEOUT) && !connTimeout.isNone()
                    && keepAlive.duration().compareTo(connTimeout.duration()) > 0) {
                problems.add("keepAlive=REQUIRE but keepAliveTimeout=" + keepAlive + " exceeds connTimeout="
                        + connTimeout + ", which turns keep-alives off");
            }
        }
        if (props.isSet(Property.MSG_RELIABLE) && !props.get(Property.MSG_RELIABLE)
                && props.get(Property.RELIABILITY, role) == Preference.REQUIRE
                && props.get(Property.PER_MSG_RELIABILITY, role) == Preference.PROHIBIT) {
            problems.add("msgReliable=false needs per-message reliability but reliability=REQUIRE and "
                    + "perMsgReliability=PROHIBIT");
        }
        if (!problems.isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "contradictory Transport Properties: " + String.join("; ", problems));
        }
    }
}
