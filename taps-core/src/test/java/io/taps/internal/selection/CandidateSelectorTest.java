package io.taps.internal.selection;

import static io.taps.internal.selection.BuiltInStacks.TCP;
import static io.taps.internal.selection.BuiltInStacks.TLS_TCP;
import static io.taps.internal.selection.BuiltInStacks.UDP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Direction;
import io.taps.properties.MultipathMode;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CandidateSelectorTest {

    @SuppressWarnings("unchecked")
    static List<Property<Preference>> preferenceSelectionProperties() {
        List<Property<Preference>> out = new ArrayList<>();
        for (Property<?> p : Property.ofKind(PropertyKind.SELECTION)) {
            if (p.isPreference()) {
                out.add((Property<Preference>) p);
            }
        }
        return out;
    }

    /** Every Preference Selection Property explicitly at No Preference: isolates one property per row. */
    static TransportProperties.Builder neutral() {
        TransportProperties.Builder b = TransportProperties.builder();
        preferenceSelectionProperties().forEach(b::noPreference);
        return b;
    }

    private static List<String> names(List<RankedStack> ranked) {
        return ranked.stream().map(r -> r.stack().name()).toList();
    }

    private static List<String> select(TransportProperties p, SecurityMode security, boolean framer) {
        return names(CandidateSelector.select(p, Role.INITIATE, security, framer, BuiltInStacks.all()));
    }

    private static TransportServicesException failure(TransportProperties p, SecurityMode security) {
        try {
            CandidateSelector.select(p, Role.INITIATE, security, false, BuiltInStacks.all());
        } catch (TransportServicesException e) {
            return e;
        }
        throw new AssertionError("selection should have failed");
    }

    // ------------------------------------------------------------------ table-driven (SEL-01, SEL-02)

    static Stream<Arguments> propertyLevelStack() {
        List<Arguments> rows = new ArrayList<>();
        for (Property<Preference> p : preferenceSelectionProperties()) {
            for (Preference level : Preference.values()) {
                for (StackCapabilities stack : BuiltInStacks.all()) {
                    rows.add(Arguments.of(p, level, stack));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "SEL-02 {0}={1} on {2}")
    @MethodSource("propertyLevelStack")
    void sel02_singleStackOutcomeFollowsDeclaredSupport(Property<Preference> p, Preference level,
            StackCapabilities stack) {
        TransportProperties props = neutral().set(p, level).build();
        Support support = stack.support(p);
        boolean removed = (level == Preference.PROHIBIT && support == Support.ALWAYS)
                || (level == Preference.REQUIRE && support == Support.NEVER);
        if (removed) {
            assertThatThrownBy(() -> CandidateSelector.select(props, Role.INITIATE, SecurityMode.OPPORTUNISTIC, false,
                    List.of(stack)))
                    .isInstanceOfSatisfying(TransportServicesException.class,
                            e -> assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES))
                    .hasMessageContaining(stack.name() + " removed by " + p.name() + "=" + level);
        } else {
            int prefer = level == Preference.PREFER && support != Support.NEVER ? 1 : 0;
            int avoid = level == Preference.AVOID && support != Support.ALWAYS ? 1 : 0;
            assertThat(CandidateSelector.select(props, Role.INITIATE, SecurityMode.OPPORTUNISTIC, false,
                    List.of(stack))).containsExactly(new RankedStack(stack, prefer, avoid));
        }
    }

    static Stream<Arguments> propertyLevel() {
        List<Arguments> rows = new ArrayList<>();
        for (Property<Preference> p : preferenceSelectionProperties()) {
            for (Preference level : Preference.values()) {
                rows.add(Arguments.of(p, level));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "SEL-02 {0}={1} over TCP, TLS/TCP, UDP")
    @MethodSource("propertyLevel")
    void sel02_rankingOverAllBuiltInStacks(Property<Preference> p, Preference level) {
        TransportProperties props = neutral().set(p, level).build();
        List<RankedStack> expected = new ArrayList<>();
        for (StackCapabilities s : BuiltInStacks.all()) {
            Support support = s.support(p);
            if ((level == Preference.PROHIBIT && support == Support.ALWAYS)
                    || (level == Preference.REQUIRE && support == Support.NEVER)) {
                continue;
            }
            expected.add(new RankedStack(s, level == Preference.PREFER && support != Support.NEVER ? 1 : 0,
                    level == Preference.AVOID && support != Support.ALWAYS ? 1 : 0));
        }
        expected.sort(Comparator.comparing((RankedStack r) -> !r.stack().secure())
                .thenComparing(Comparator.comparingInt(RankedStack::preferScore).reversed())
                .thenComparing(Comparator.comparingInt(RankedStack::avoidScore).reversed()));
        if (expected.isEmpty()) {
            assertThat(failure(props, SecurityMode.OPPORTUNISTIC).reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
        } else {
            assertThat(CandidateSelector.select(props, Role.INITIATE, SecurityMode.OPPORTUNISTIC, false,
                    BuiltInStacks.all())).containsExactlyElementsOf(expected);
        }
    }

    // ------------------------------------------------------------------------- hand-written rows

    @Test
    void sp01_defaultsRequireReliabilitySoTcpOrTlsDependingOnSecurity() {
        TransportProperties d = TransportProperties.defaults();
        // QUIC ranks first by the default multistreaming=Prefer (StackSelection narrows it further).
        assertThat(select(d, SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC", "TLS/TCP", "TCP");
        assertThat(select(d, SecurityMode.REQUIRED, false)).containsExactly("QUIC", "TLS/TCP");
        assertThat(select(d, SecurityMode.DISABLED, false)).containsExactly("TCP");
    }

    @Test
    void sp01_reliabilityProhibitGivesUdp() {
        TransportProperties p = neutral().reliability(Preference.PROHIBIT).build();
        // QUIC stays: reliability Prohibit makes a QUIC datagram Connection (RFC 9221, docs/quic.md).
        assertThat(select(p, SecurityMode.OPPORTUNISTIC, false)).containsExactlyInAnyOrder("UDP", "QUIC");
        assertThat(select(p, SecurityMode.DISABLED, false)).containsExactly("UDP");
    }

    @Test
    void sel04a_reliabilityProhibitOnDefaultsNamesFirstRemovingRulePerStack() {
        TransportProperties p = TransportProperties.builder().reliability(Preference.PROHIBIT).build();
        TransportServicesException e = failure(p, SecurityMode.DISABLED);
        assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
        assertThat(e).hasMessageContaining("TCP removed by reliability=PROHIBIT; TLS/TCP removed by "
                + "security=DISABLED (stack is secure); UDP removed by preserveOrder=REQUIRE");
        // QUIC's capabilities allow it (its order is optional); QuicStack refuses an unordered datagram
        // Connection under preserveOrder=REQUIRE (QuicDatagramTest).
        assertThat(select(p, SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC");
    }

    @Test
    void sp02_q3_preserveMsgBoundariesRequireNeedsUdpOrAFramer() {
        TransportProperties p = neutral().preserveMsgBoundaries(Preference.REQUIRE).build();
        assertThat(select(p, SecurityMode.DISABLED, false)).containsExactly("UDP");
        assertThat(select(p, SecurityMode.DISABLED, true)).containsExactly("TCP", "UDP");
        assertThat(select(p, SecurityMode.OPPORTUNISTIC, true)).containsExactly("TLS/TCP", "QUIC", "TCP", "UDP");
        assertThat(failure(TransportProperties.reliableMessage(), SecurityMode.DISABLED))
                .hasMessageContaining("TCP removed by preserveMsgBoundaries=REQUIRE")
                .hasMessageContaining("UDP removed by reliability=REQUIRE");
        // QUIC keeps boundaries on its datagram Connection, so its capability is optional; QuicStack
        // refuses an unframed stream under Require (QuicDatagramTest).
        assertThat(select(TransportProperties.reliableMessage(), SecurityMode.OPPORTUNISTIC, false))
                .containsExactly("QUIC");
        assertThat(select(TransportProperties.reliableMessage(), SecurityMode.OPPORTUNISTIC, true))
                .containsExactly("QUIC", "TLS/TCP", "TCP");
    }

    @Test
    void sp09_congestionControlProhibitGivesUdp() {
        TransportProperties p = neutral().congestionControl(Preference.PROHIBIT).build();
        assertThat(select(p, SecurityMode.OPPORTUNISTIC, false)).containsExactly("UDP");
    }

    @Test
    void sp05_sp17_udpOnlyFeatures() {
        // TCP can through TCP Fast Open (its stack refuses the Require where the kernel cannot); TLS/TCP never.
        assertThat(select(neutral().zeroRttMsg(Preference.REQUIRE).build(), SecurityMode.OPPORTUNISTIC, false))
                .containsExactly("QUIC", "TCP", "UDP");
        assertThat(select(neutral().softErrorNotify(Preference.REQUIRE).build(), SecurityMode.OPPORTUNISTIC, false))
                .containsExactly("UDP");
        assertThat(select(TransportProperties.builder().keepAlive(Preference.REQUIRE).build(),
                SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC", "TLS/TCP", "TCP");
    }

    @Test
    void b2_3_unreliableDatagramProfileRanksUdpFirst() {
        TransportProperties p = TransportProperties.unreliableDatagram();
        assertThat(select(p, SecurityMode.DISABLED, false)).containsExactly("UDP");
        List<RankedStack> framed = CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, true,
                BuiltInStacks.all());
        assertThat(names(framed)).containsExactly("UDP", "TCP");
        assertThat(framed.get(0).avoidScore()).isEqualTo(2); // reliability and preserveOrder avoided
        assertThat(framed.get(1).avoidScore()).isZero();
    }

    @Test
    void c08_q17_securityRequiredNeverFallsBackToCleartextUdp() {
        TransportProperties p = neutral().reliability(Preference.PROHIBIT).build();
        // Secure and unreliable: QUIC datagrams (RFC 9221), never cleartext UDP.
        assertThat(select(p, SecurityMode.REQUIRED, false)).containsExactly("QUIC");
        TransportServicesException e = failure(neutral().reliability(Preference.PROHIBIT)
                .require(io.taps.properties.Property.SOFT_ERROR_NOTIFY).build(), SecurityMode.REQUIRED);
        assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
        assertThat(e).hasMessageContaining("TCP removed by security=REQUIRED")
                .hasMessageContaining("TLS/TCP removed by reliability=PROHIBIT")
                .hasMessageContaining("UDP removed by security=REQUIRED");
    }

    @Test
    void c08_opportunisticRanksSecureFirstEvenAgainstPreferences() {
        StackCapabilities fancyPlain = TCP.toBuilder().support(Property.MULTISTREAMING, Support.ALWAYS).build();
        List<String> ranked = names(CandidateSelector.select(TransportProperties.defaults(), Role.INITIATE,
                SecurityMode.OPPORTUNISTIC, false, List.of(fancyPlain, TLS_TCP)));
        assertThat(ranked).containsExactly("TLS/TCP", "TCP");
        List<String> disabled = names(CandidateSelector.select(TransportProperties.defaults(), Role.INITIATE,
                SecurityMode.DISABLED, false, List.of(fancyPlain, TLS_TCP)));
        assertThat(disabled).containsExactly("TCP");
    }

    @Test
    void sel02_preferOrdersAndAvoidBreaksTies() {
        StackCapabilities a = StackCapabilities.builder("A").support(Property.KEEP_ALIVE, Support.NEVER)
                .support(Property.MULTISTREAMING, Support.ALWAYS).build();
        StackCapabilities b = StackCapabilities.builder("B").support(Property.KEEP_ALIVE, Support.OPTIONAL)
                .support(Property.MULTISTREAMING, Support.NEVER).support(Property.SOFT_ERROR_NOTIFY, Support.ALWAYS)
                .build();
        StackCapabilities c = StackCapabilities.builder("C").support(Property.KEEP_ALIVE, Support.ALWAYS)
                .support(Property.MULTISTREAMING, Support.OPTIONAL).build();
        TransportProperties p = neutral().keepAlive(Preference.PREFER).multistreaming(Preference.PREFER)
                .softErrorNotify(Preference.AVOID).build();
        List<RankedStack> r = CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false, List.of(a, b, c));
        assertThat(r).containsExactly(new RankedStack(c, 2, 1), new RankedStack(a, 1, 1), new RankedStack(b, 1, 0));
    }

    @Test
    void c18_rankingIsDeterministicAndTiesKeepInputOrder() {
        TransportProperties p = neutral().reliability(Preference.PREFER).build();
        List<RankedStack> once = CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false,
                BuiltInStacks.all());
        assertThat(CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false, BuiltInStacks.all()))
                .isEqualTo(once);
        assertThat(names(once)).containsExactly("TCP", "UDP");
        StackCapabilities tcp2 = TCP.toBuilder().build();
        StackCapabilities other = StackCapabilities.builder("TCP-2").byteStream(true)
                .support(Property.RELIABILITY, Support.ALWAYS).build();
        assertThat(names(CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false,
                List.of(other, tcp2)))).containsExactly("TCP-2", "TCP");
        assertThat(names(CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false,
                List.of(tcp2, other)))).containsExactly("TCP", "TCP-2");
    }

    @Test
    void sel04b_perMsgReliabilityRequireWithReliabilityProhibitIsInvalidBeforeFiltering() {
        TransportProperties p = neutral().perMsgReliability(Preference.REQUIRE).reliability(Preference.PROHIBIT).build();
        assertThatThrownBy(() -> CandidateSelector.select(p, Role.INITIATE, SecurityMode.OPPORTUNISTIC, false, List.of()))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION))
                .hasMessageContaining("perMsgReliability=REQUIRE").hasMessageContaining("reliability=PROHIBIT");
    }

    @Test
    void sel04b_zeroRttRequireWithUnidirectionalReceiveIsInvalid() {
        TransportProperties p = neutral().zeroRttMsg(Preference.REQUIRE).direction(Direction.UNIDIRECTIONAL_RECEIVE)
                .build();
        assertThat(failure(p, SecurityMode.OPPORTUNISTIC).reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        TransportProperties send = neutral().zeroRttMsg(Preference.REQUIRE).direction(Direction.UNIDIRECTIONAL_SEND)
                .build();
        assertThat(select(send, SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC", "TCP", "UDP");
    }

    @Test
    void sel04b_keepAliveRequireWithKeepAlivesTurnedOffIsInvalid() {
        TransportProperties disabled = TransportProperties.builder().keepAlive(Preference.REQUIRE)
                .keepAliveTimeout(Timeout.NONE).build();
        assertThat(failure(disabled, SecurityMode.OPPORTUNISTIC)).hasMessageContaining("keepAliveTimeout=Disabled");
        TransportProperties tooLong = TransportProperties.builder().keepAlive(Preference.REQUIRE)
                .keepAliveTimeout(Duration.ofSeconds(60)).connTimeout(Duration.ofSeconds(30)).build();
        assertThat(failure(tooLong, SecurityMode.OPPORTUNISTIC).reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        TransportProperties fine = TransportProperties.builder().keepAlive(Preference.REQUIRE)
                .keepAliveTimeout(Duration.ofSeconds(10)).connTimeout(Duration.ofSeconds(30)).build();
        assertThat(select(fine, SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC", "TLS/TCP", "TCP");
    }

    @Test
    void sel04b_mp07_unreliableMessageDefaultWithoutPerMessageReliabilityIsInvalid() {
        TransportProperties p = TransportProperties.builder().perMsgReliability(Preference.PROHIBIT)
                .msgReliable(false).build();
        assertThat(failure(p, SecurityMode.OPPORTUNISTIC)).hasMessageContaining("msgReliable=false");
    }

    @Test
    void sel04b_preserveOrderRequireWithReliabilityProhibitIsNotAContradiction() {
        TransportProperties p = neutral().preserveOrder(Preference.REQUIRE).reliability(Preference.PROHIBIT).build();
        TransportServicesException e = failure(p, SecurityMode.DISABLED);
        assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
        assertThat(e).hasMessageContaining("UDP removed by preserveOrder=REQUIRE");
    }

    @Test
    void sp14_multipathActiveRanksButNeverFails() {
        TransportProperties p = TransportProperties.builder().multipath(MultipathMode.ACTIVE).build();
        assertThat(select(p, SecurityMode.OPPORTUNISTIC, false)).containsExactly("QUIC", "TLS/TCP", "TCP");
        StackCapabilities mptcp = TCP.toBuilder().support(Property.MULTIPATH, Support.OPTIONAL).build();
        StackCapabilities mptcpNamed = StackCapabilities.builder("MPTCP").byteStream(true)
                .support(Property.RELIABILITY, Support.ALWAYS).support(Property.PRESERVE_ORDER, Support.ALWAYS)
                .support(Property.FULL_CHECKSUM_SEND, Support.ALWAYS).support(Property.FULL_CHECKSUM_RECV, Support.ALWAYS)
                .support(Property.CONGESTION_CONTROL, Support.ALWAYS).support(Property.MULTIPATH, Support.OPTIONAL)
                .support(Property.USE_TEMPORARY_LOCAL_ADDRESS, Support.OPTIONAL).build();
        assertThat(mptcp.support(Property.MULTIPATH)).isEqualTo(Support.OPTIONAL);
        assertThat(names(CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false,
                List.of(TCP, mptcpNamed)))).containsExactly("MPTCP", "TCP");
    }

    @Test
    void sp18_activeReadBeforeSendIsIgnoredForRendezvous() {
        StackCapabilities noArbs = StackCapabilities.builder("X").support(Property.ACTIVE_READ_BEFORE_SEND, Support.NEVER)
                .build();
        TransportProperties p = neutral().activeReadBeforeSend(Preference.REQUIRE).build();
        assertThat(CandidateSelector.select(p, Role.RENDEZVOUS, SecurityMode.DISABLED, false, List.of(noArbs)))
                .hasSize(1);
        assertThatThrownBy(() -> CandidateSelector.select(p, Role.INITIATE, SecurityMode.DISABLED, false,
                List.of(noArbs))).isInstanceOf(TransportServicesException.class);
    }

    @Test
    void sp13_listenerDefaultAvoidsTemporaryAddressesWithoutRemovingStacks() {
        List<RankedStack> r = CandidateSelector.select(TransportProperties.defaults(), Role.LISTEN,
                SecurityMode.DISABLED, false, BuiltInStacks.all());
        assertThat(r).containsExactly(new RankedStack(TCP, 0, 1));
        List<RankedStack> i = CandidateSelector.select(TransportProperties.defaults(), Role.INITIATE,
                SecurityMode.DISABLED, false, BuiltInStacks.all());
        // No built-in stack offers temporary addresses (issue 15 item 8), so Initiate's default Prefer ranks none up.
        assertThat(i).containsExactly(new RankedStack(TCP, 0, 0));
    }

    @Test
    void sel04a_nothingAvailableIsNoCandidates() {
        assertThatThrownBy(() -> CandidateSelector.select(TransportProperties.defaults(), Role.INITIATE,
                SecurityMode.OPPORTUNISTIC, false, List.of()))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES))
                .hasMessageContaining("no protocol stack is available");
    }

    @Test
    void q15_builtInStacksDeclareEveryPreferenceSelectionProperty() {
        for (StackCapabilities s : BuiltInStacks.all()) {
            for (Property<Preference> p : preferenceSelectionProperties()) {
                assertThat(s.declared()).as(s + " " + p).containsKey(p);
            }
        }
        assertThat(TCP.byteStream()).isTrue();
        assertThat(TLS_TCP.secure()).isTrue();
        assertThat(UDP.byteStream()).isFalse();
        assertThat(TCP.withFramer().support(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Support.ALWAYS);
        assertThat(UDP.withFramer()).isSameAs(UDP);
        assertThatThrownBy(() -> StackCapabilities.builder("bad").support(Property.CONN_PRIORITY, Support.ALWAYS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
