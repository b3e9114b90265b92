package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One Transport Property of RFC 9622 (§4.1, §6.2, §8.1, §8.2, §9.1.3): its RFC name, kind, Java
 * type, default, legacy aliases and checklist ID; and, through the static constants, the table of
 * every property in RFC order (C-21: every property exists, even where taps treats it as a hint).
 *
 * <p>Name lookup ({@link #byName(String)}) follows RFC 9622 §4.1 and C-20: names are
 * case-insensitive, and taps also ignores '-', '_' and whitespace so that the hyphenated names of
 * the earlier drafts, NEATPy's enum names and Spring's kebab case all resolve (Q-1, §1.15). The
 * namespace dot is kept, so {@code tcp.userTimeoutValue} stays distinct from a generic property.
 * Vendor properties use the leading-underscore namespace of RFC 9622 §4.1 ({@code _taps.}).
 *
 * <p>{@link #convert(Object)} turns loosely typed input (configuration strings, Booleans for
 * preferences, Numbers, Durations) into the property's type, and is the single place that reports
 * {@link ErrorReason#INVALID_PROPERTY} for wrong types and ranges.
 *
 * @param <T> the Java type of the property's value
 *
 * <p>Longer than 500 lines because: it is the descriptor table of every RFC 9622 property, one
 * constant per row (name, kind, type, default, aliases); the table is the point of the class.
 */
public final class Property<T> {
    // Declared before the constants: static initialisers run in textual order and each constant registers here.
    private static final List<Property<?>> REGISTRY = new ArrayList<>();

    // ---------------------------------------------------------------- Selection Properties (§6.2)

    /** SP-01 {@code reliability} (RFC 9622 §6.2.1): reliable data transfer; default Require. */
    public static final Property<Preference> RELIABILITY = selection("reliability", Preference.REQUIRE, "SP-01", "6.2.1",
            "RELIABILITY");
    /** SP-02 {@code preserveMsgBoundaries} (§6.2.2); default No Preference (IF06 and NEATPy: Prefer). */
    public static final Property<Preference> PRESERVE_MSG_BOUNDARIES = selection("preserveMsgBoundaries",
            Preference.NO_PREFERENCE, "SP-02", "6.2.2", "preserve-msg-boundaries", "PRESERVE_MSG_BOUNDARIES");
    /** SP-03 {@code perMsgReliability} (§6.2.3): configure reliability per Message; default No Preference. */
    public static final Property<Preference> PER_MSG_RELIABILITY = selection("perMsgReliability",
            Preference.NO_PREFERENCE, "SP-03", "6.2.3", "per-msg-reliability");
    /** SP-04 {@code preserveOrder} (§6.2.4); default Require; feeds the {@code msgOrdered} default. */
    public static final Property<Preference> PRESERVE_ORDER = selection("preserveOrder", Preference.REQUIRE, "SP-04",
            "6.2.4", "preserve-order");
    /** SP-05 {@code zeroRttMsg} (§6.2.5): 0-RTT establishment with a Message; default No Preference. */
    public static final Property<Preference> ZERO_RTT_MSG = selection("zeroRttMsg", Preference.NO_PREFERENCE, "SP-05",
            "6.2.5", "zero-rtt-msg");
    /** SP-06 {@code multistreaming} (§6.2.6); default Prefer. */
    public static final Property<Preference> MULTISTREAMING = selection("multistreaming", Preference.PREFER, "SP-06",
            "6.2.6");
    /** SP-07 {@code fullChecksumSend} (§6.2.7); default Require. */
    public static final Property<Preference> FULL_CHECKSUM_SEND = selection("fullChecksumSend", Preference.REQUIRE,
            "SP-07", "6.2.7", "per-msg-checksum-len-send", "full-checksum-send");
    /** SP-08 {@code fullChecksumRecv} (§6.2.8); default Require. */
    public static final Property<Preference> FULL_CHECKSUM_RECV = selection("fullChecksumRecv", Preference.REQUIRE,
            "SP-08", "6.2.8", "per-msg-checksum-len-recv", "full-checksum-recv");
    /** SP-09 {@code congestionControl} (§6.2.9); default Require. */
    public static final Property<Preference> CONGESTION_CONTROL = selection("congestionControl", Preference.REQUIRE,
            "SP-09", "6.2.9", "congestion-control");
    /** SP-10 {@code keepAlive} (§6.2.10); default No Preference. */
    public static final Property<Preference> KEEP_ALIVE = selection("keepAlive", Preference.NO_PREFERENCE, "SP-10",
            "6.2.10", "keep-alive");
    /** SP-11 {@code interface} (§6.2.11): preferences per interface name or type; default empty. */
    public static final Property<NamedPreferences> INTERFACE = define("interface", PropertyKind.SELECTION,
            NamedPreferences.class, NamedPreferences.EMPTY, "SP-11", "6.2.11", List.of("INTERFACE"));
    /** SP-12 {@code pvd} (§6.2.12): preferences per Provisioning Domain; default empty. */
    public static final Property<NamedPreferences> PVD = define("pvd", PropertyKind.SELECTION, NamedPreferences.class,
            NamedPreferences.EMPTY, "SP-12", "6.2.12", List.of("PVD", "provisioning-domain"));
    /**
     * SP-13 {@code useTemporaryLocalAddress} (§6.2.13): default Prefer for Initiate, Avoid for Listen and
     * Rendezvous; see {@link #defaultFor(Role)}.
     */
    public static final Property<Preference> USE_TEMPORARY_LOCAL_ADDRESS = selection("useTemporaryLocalAddress",
            Preference.PREFER, "SP-13", "6.2.13", "use-temporary-local-address", "local-address-preference",
            "LOCAL_ADDRESS_PREFERENCE")
            .withRoleDefault(Role.LISTEN, Preference.AVOID).withRoleDefault(Role.RENDEZVOUS, Preference.AVOID);
    /** SP-14 {@code multipath} (§6.2.14): default Disabled for Initiate and Rendezvous, Passive for Listen. */
    public static final Property<MultipathMode> MULTIPATH = define("multipath", PropertyKind.SELECTION,
            MultipathMode.class, MultipathMode.DISABLED, "SP-14", "6.2.14", List.of("MULTIPATH"))
            .withRoleDefault(Role.LISTEN, MultipathMode.PASSIVE);
    /** SP-15 {@code advertisesAltaddr} (§6.2.15): advertise alternative local addresses; default false. */
    public static final Property<Boolean> ADVERTISES_ALTADDR = define("advertisesAltaddr", PropertyKind.SELECTION,
            Boolean.class, false, "SP-15", "6.2.15", List.of("advertises-altaddr"));
    /** SP-16 {@code direction} (§6.2.16); default Bidirectional. */
    public static final Property<Direction> DIRECTION = define("direction", PropertyKind.SELECTION, Direction.class,
            Direction.BIDIRECTIONAL, "SP-16", "6.2.16", List.of("communication-directions"));
    /** SP-17 {@code softErrorNotify} (§6.2.17): deliver ICMP errors as SoftError; default No Preference. */
    public static final Property<Preference> SOFT_ERROR_NOTIFY = selection("softErrorNotify", Preference.NO_PREFERENCE,
            "SP-17", "6.2.17", "soft-error-notify");
    /** SP-18 {@code activeReadBeforeSend} (§6.2.18); default No Preference. */
    public static final Property<Preference> ACTIVE_READ_BEFORE_SEND = selection("activeReadBeforeSend",
            Preference.NO_PREFERENCE, "SP-18", "6.2.18", "active-read-before-send");

    // ----------------------------------------------------------- Connection Properties (§8.1)

    /** CP-01 {@code recvChecksumLen} (RFC 9622 §8.1.1); default Full Coverage. */
    public static final Property<ChecksumCoverage> RECV_CHECKSUM_LEN = connection("recvChecksumLen",
            ChecksumCoverage.class, ChecksumCoverage.FULL, "CP-01", "8.1.1", "recv-checksum-len");
    /** CP-02 {@code connPriority} (§8.1.2): ≥ 0, lower is more important; default 100; not entangled. */
    public static final Property<Integer> CONN_PRIORITY = connection("connPriority", Integer.class, 100, "CP-02",
            "8.1.2", "conn-prio", "conn-priority");
    /**
     * CP-03 {@code connTimeout} (§8.1.3): how long sent data may stay unacknowledged before the
     * Connection fails with ConnectionError Timeout (TCP_USER_TIMEOUT on TCP, the idle timeout on
     * QUIC); without a timeout passed to {@code initiate} it also bounds establishment. Not an
     * idle timeout ({@code _taps.idleTimeout}) nor Close's ({@code _taps.closeTimeout}). Default Disabled.
     */
    public static final Property<Timeout> CONN_TIMEOUT = connection("connTimeout", Timeout.class, Timeout.NONE, "CP-03",
            "8.1.3", "conn-timeout");
    /** CP-04 {@code keepAliveTimeout} (§8.1.4); default Disabled. */
    public static final Property<Timeout> KEEP_ALIVE_TIMEOUT = connection("keepAliveTimeout", Timeout.class,
            Timeout.NONE, "CP-04", "8.1.4", "keep-alive-timeout");
    /** CP-05 {@code connScheduler} (§8.1.5); default Weighted Fair Queueing. */
    public static final Property<ConnectionScheduler> CONN_SCHEDULER = connection("connScheduler",
            ConnectionScheduler.class, ConnectionScheduler.WEIGHTED_FAIR_QUEUEING, "CP-05", "8.1.5", "conn-scheduler");
    /** CP-06 {@code connCapacityProfile} (§8.1.6); default Default (best effort). */
    public static final Property<CapacityProfile> CONN_CAPACITY_PROFILE = connection("connCapacityProfile",
            CapacityProfile.class, CapacityProfile.DEFAULT, "CP-06", "8.1.6", "conn-capacity-profile",
            "CAPACITY_PROFILE");
    /** CP-07 {@code multipathPolicy} (§8.1.7); default Handover. */
    public static final Property<MultipathPolicy> MULTIPATH_POLICY = connection("multipathPolicy",
            MultipathPolicy.class, MultipathPolicy.HANDOVER, "CP-07", "8.1.7", "multipath-policy");
    /** CP-08 {@code minSendRate} (§8.1.8), bit/s; default Unlimited. */
    public static final Property<Limit> MIN_SEND_RATE = connection("minSendRate", Limit.class, Limit.UNLIMITED,
            "CP-08", "8.1.8", "min-send-rate");
    /** CP-08 {@code minRecvRate} (§8.1.8), bit/s; default Unlimited. */
    public static final Property<Limit> MIN_RECV_RATE = connection("minRecvRate", Limit.class, Limit.UNLIMITED,
            "CP-08", "8.1.8", "min-recv-rate");
    /** CP-08 {@code maxSendRate} (§8.1.8), bit/s; default Unlimited. */
    public static final Property<Limit> MAX_SEND_RATE = connection("maxSendRate", Limit.class, Limit.UNLIMITED,
            "CP-08", "8.1.8", "max-send-rate");
    /** CP-08 {@code maxRecvRate} (§8.1.8), bit/s; default Unlimited. */
    public static final Property<Limit> MAX_RECV_RATE = connection("maxRecvRate", Limit.class, Limit.UNLIMITED,
            "CP-08", "8.1.8", "max-recv-rate");
    /** CP-09 {@code groupConnLimit} (§8.1.9): cap on peer-initiated group members; default Unlimited. */
    public static final Property<Limit> GROUP_CONN_LIMIT = connection("groupConnLimit", Limit.class, Limit.UNLIMITED,
            "CP-09", "8.1.9", "group-conn-limit");
    /** CP-10 {@code isolateSession} (§8.1.10): no cached state from outside the group; default false. */
    public static final Property<Boolean> ISOLATE_SESSION = connection("isolateSession", Boolean.class, false, "CP-10",
            "8.1.10", "isolate-session");

    // --------------------------------------------------- Read-only Connection Properties (§8.1.11)

    /** RO-01 {@code connState} (RFC 9622 §8.1.11.1). */
    public static final Property<ConnectionState> CONN_STATE = readOnly("connState", ConnectionState.class,
            ConnectionState.ESTABLISHING, "RO-01", "8.1.11.1", "conn-state");
    /** RO-02 {@code canSend} (§8.1.11.2). */
    public static final Property<Boolean> CAN_SEND = readOnly("canSend", Boolean.class, true, "RO-02", "8.1.11.2",
            "can-send");
    /** RO-03 {@code canReceive} (§8.1.11.3). */
    public static final Property<Boolean> CAN_RECEIVE = readOnly("canReceive", Boolean.class, true, "RO-03",
            "8.1.11.3", "can-receive");
    /** RO-04 {@code singularTransmissionMsgMaxLen} (§8.1.11.4); Unlimited stands for "Not applicable". */
    public static final Property<Limit> SINGULAR_TRANSMISSION_MSG_MAX_LEN = readOnly("singularTransmissionMsgMaxLen",
            Limit.class, Limit.UNLIMITED, "RO-04", "8.1.11.4", "singular-transmission-msg-max-len");
    /** RO-05 {@code sendMsgMaxLen} (§8.1.11.5); 0 means cannot send. */
    public static final Property<Limit> SEND_MSG_MAX_LEN = readOnly("sendMsgMaxLen", Limit.class, Limit.UNLIMITED,
            "RO-05", "8.1.11.5", "send-msg-max-len");
    /** RO-06 {@code recvMsgMaxLen} (§8.1.11.6); 0 means cannot receive. */
    public static final Property<Limit> RECV_MSG_MAX_LEN = readOnly("recvMsgMaxLen", Limit.class, Limit.UNLIMITED,
            "RO-06", "8.1.11.6", "recv-msg-max-len");

    // --------------------------------------------------- TCP-specific Properties (§8.2, RFC 5482)

    /** TCP-01 {@code tcp.userTimeoutValue} (RFC 9622 §8.2.1); none means the TCP default. */
    public static final Property<Timeout> TCP_USER_TIMEOUT_VALUE = connection("tcp.userTimeoutValue", Timeout.class,
            Timeout.NONE, "TCP-01", "8.2.1", "tcp.user-timeout-value", "ADVERTISED_USER_TIMEOUT");
    /** TCP-02 {@code tcp.userTimeoutEnabled} (§8.2.2); default false. */
    public static final Property<Boolean> TCP_USER_TIMEOUT_ENABLED = connection("tcp.userTimeoutEnabled",
            Boolean.class, false, "TCP-02", "8.2.2", "tcp.user-timeout", "USER_TIMEOUT_ENABLED");
    /** TCP-03 {@code tcp.userTimeoutChangeable} (§8.2.3); default true. */
    public static final Property<Boolean> TCP_USER_TIMEOUT_CHANGEABLE = connection("tcp.userTimeoutChangeable",
            Boolean.class, true, "TCP-03", "8.2.3", "tcp.user-timeout-recv", "CHANGEABLE");

    // ------------------------------------------------------------ Message Properties (§9.1.3)

    /** MP-01 {@code msgLifetime} (RFC 9622 §9.1.3.1); default infinite. */
    public static final Property<Timeout> MSG_LIFETIME = message("msgLifetime", Timeout.class, Timeout.NONE, "MP-01",
            "9.1.3.1", "msg-lifetime", "LIFETIME");
    /** MP-02 {@code msgPriority} (§9.1.3.2): ≥ 0, lower is more important; default 100. */
    public static final Property<Integer> MSG_PRIORITY = message("msgPriority", Integer.class, 100, "MP-02",
            "9.1.3.2", "msg-prio", "msg-priority");
    /** MP-03 {@code msgOrdered} (§9.1.3.3); default: the Connection's {@code preserveOrder}. */
    public static final Property<Boolean> MSG_ORDERED = message("msgOrdered", Boolean.class, true, "MP-03",
            "9.1.3.3", "msg-ordered", "ORDERED").inheriting(PRESERVE_ORDER);
    /** MP-04 {@code safelyReplayable} (§9.1.3.4), formerly {@code idempotent}; default false. */
    public static final Property<Boolean> SAFELY_REPLAYABLE = message("safelyReplayable", Boolean.class, false,
            "MP-04", "9.1.3.4", "idempotent", "IDEMPOTENT", "safely-replayable");
    /** MP-05 {@code final} (§9.1.3.5): the last Message; default false. */
    public static final Property<Boolean> FINAL = message("final", Boolean.class, false, "MP-05", "9.1.3.5", "FINAL");
    /** MP-06 {@code msgChecksumLen} (§9.1.3.6); default Full Coverage. */
    public static final Property<ChecksumCoverage> MSG_CHECKSUM_LEN = message("msgChecksumLen", ChecksumCoverage.class,
            ChecksumCoverage.FULL, "MP-06", "9.1.3.6", "msg-checksum-len", "CORRUPTION_PROTECTION_LENGTH");
    /** MP-07 {@code msgReliable} (§9.1.3.7); default: the Connection's {@code reliability}. */
    public static final Property<Boolean> MSG_RELIABLE = message("msgReliable", Boolean.class, true, "MP-07",
            "9.1.3.7", "msg-reliable", "RELIABLE_DATA_TRANSFER").inheriting(RELIABILITY);
    /** MP-08 {@code msgCapacityProfile} (§9.1.3.8); default: the Connection's {@code connCapacityProfile}. */
    public static final Property<CapacityProfile> MSG_CAPACITY_PROFILE = message("msgCapacityProfile",
            CapacityProfile.class, CapacityProfile.DEFAULT, "MP-08", "9.1.3.8", "msg-capacity-profile",
            "MESSAGE_CAPACITY_PROFILE_OVERRIDE").inheriting(CONN_CAPACITY_PROFILE);
    /** MP-09 {@code noFragmentation} (§9.1.3.9), formerly {@code singular-transmission}; default false. */
    public static final Property<Boolean> NO_FRAGMENTATION = message("noFragmentation", Boolean.class, false, "MP-09",
            "9.1.3.9", "no-fragmentation", "singular-transmission", "SINGULAR_TRANSMISSION");
    /** MP-10 {@code noSegmentation} (§9.1.3.10); default false. */
    public static final Property<Boolean> NO_SEGMENTATION = message("noSegmentation", Boolean.class, false, "MP-10",
            "9.1.3.10", "no-segmentation");

    // ------------------------------------------- taps vendor properties (RFC 9622 §4.1 "_" namespace)

    /**
     * {@code _taps.sendQueueLimit}: bytes taps queues for a Connection before a Send fails with
     * SendError (SEND_QUEUE_FULL); default 16 MiB. Bounds memory when the peer reads slowly.
     */
    public static final Property<Limit> SEND_QUEUE_LIMIT = connection("_taps.sendQueueLimit", Limit.class,
            Limit.of(16L * 1024 * 1024), "EXT-01", "4.1");
    /** {@code _taps.closeTimeout}: how long Close waits for the peer's FIN before reporting Closed; default 5s. */
    public static final Property<Timeout> CLOSE_TIMEOUT = connection("_taps.closeTimeout", Timeout.class,
            Timeout.of(Duration.ofSeconds(5)), "EXT-02", "4.1");
    /**
     * {@code _taps.maxConcurrentConnections}: cap on concurrently open Connections of a Listener, on
     * top of the RFC countdown; default Unlimited, except on a UDP Listener, where Unlimited
     * means at most 1024 remote endpoints with a Connection at once (UDP has no handshake, so spoofed
     * source addresses would otherwise each make one).
     */
    public static final Property<Limit> MAX_CONCURRENT_CONNECTIONS = connection("_taps.maxConcurrentConnections",
            Limit.class, Limit.UNLIMITED, "EXT-03", "4.1");
    /**
     * {@code _taps.idleTimeout}: how long a Connection may go without sending or receiving any data
     * (and with nothing waiting to be sent) before taps ends it with a ConnectionError (reason
     * Timeout) and closes its transport. Default Disabled for initiated Connections and 5 minutes
     * for Connections a Listener accepts (see {@link #defaultFor(Role)}), so that a peer that opens
     * a Connection and goes silent cannot hold it forever. It is not {@code connTimeout} (§8.1.3,
     * which bounds undeliverable data); how a Listener derives its value from {@code connTimeout}
     * and {@code keepAlive} is described in docs/ARCHITECTURE.md ("Idle timeout").
     */
    public static final Property<Timeout> IDLE_TIMEOUT = connection("_taps.idleTimeout", Timeout.class, Timeout.NONE,
            "EXT-04", "4.1").withRoleDefault(Role.LISTEN, Timeout.of(Duration.ofMinutes(5)));
    /**
     * {@code _taps.listenBacklog}: the accept backlog (SO_BACKLOG) of a Listener's stream sockets:
     * how many connections the kernel completes and queues while taps does not accept (at the
     * concurrency cap, or out of file descriptors). Default Unlimited, which is the system maximum
     * ({@code net.core.somaxconn} on Linux); larger values are clamped to it, and
     * {@link io.taps.Listener#listenBacklog()} reports what is in effect. Ignored by datagram
     * and QUIC Listeners, which have no accept queue.
     */
    public static final Property<Limit> LISTEN_BACKLOG = connection("_taps.listenBacklog", Limit.class,
            Limit.UNLIMITED, "EXT-05", "4.1");
    /**
     * {@code _taps.multipathTransport}: how much the application needs a multipath transport (MPTCP,
     * RFC 8684), as a Preference, because {@code multipath} (§6.2.14) has no Require: Active only
     * asks for multiple paths "if the chosen transport supports it". Require keeps only multipath
     * stacks, so a system whose kernel refuses MPTCP fails with NoCandidates naming the reason
     * instead of silently using TCP; Prohibit removes them; Prefer and Avoid rank. The stacks still
     * need {@code multipath} Active or Passive. Default No Preference. See docs/multipath.md.
     */
    public static final Property<Preference> MULTIPATH_TRANSPORT = selection("_taps.multipathTransport",
            Preference.NO_PREFERENCE, "EXT-06", "4.1");

    // ------------------------------------------------------------------------------ lookup tables

    private static final List<Property<?>> ALL = Collections.unmodifiableList(new ArrayList<>(REGISTRY));
    private static final Map<String, Property<?>> INDEX = buildIndex();
    /** ofKind answers, computed once: every Connection asks for its kind's properties. */
    private static final Map<PropertyKind, List<Property<?>>> BY_KIND = byKind();
    private static final Map<String, String> REMOVED = Map.of(
            "retransmitnotify", "was removed in RFC 9622; use the SoftError event (softErrorNotify)",
            "retransmitnotifythreshold", "was removed in RFC 9622; use the SoftError event (softErrorNotify)",
            "zerorttmsgmaxlen", "was removed in RFC 9622");

    private final String name;
    private final PropertyKind kind;
    private final Class<T> type;
    private final T defaultValue;
    private final EnumMap<Role, T> roleDefaults = new EnumMap<>(Role.class);
    private final String referenceId;
    private final String rfcSection;
    private final List<String> aliases;
    private Property<?> inheritsFrom;

    private Property(String name, PropertyKind kind, Class<T> type, T defaultValue, String referenceId,
            String rfcSection, List<String> aliases) {
        this.name = name;
        this.kind = kind;
        this.type = type;
        this.defaultValue = defaultValue;
        this.referenceId = referenceId;
        this.rfcSection = rfcSection;
        this.aliases = List.copyOf(aliases);
    }

    private static <T> Property<T> define(String name, PropertyKind kind, Class<T> type, T defaultValue,
            String referenceId, String rfcSection, List<String> aliases) {
        Property<T> p = new Property<>(name, kind, type, defaultValue, referenceId, rfcSection, aliases);
        REGISTRY.add(p);
        return p;
    }

    private static Property<Preference> selection(String name, Preference def, String id, String section,
            String... aliases) {
        return define(name, PropertyKind.SELECTION, Preference.class, def, id, section, List.of(aliases));
    }

    private static <T> Property<T> connection(String name, Class<T> type, T def, String id, String section,
            String... aliases) {
        return define(name, PropertyKind.CONNECTION, type, def, id, section, List.of(aliases));
    }

    private static <T> Property<T> readOnly(String name, Class<T> type, T def, String id, String section,
            String... aliases) {
        return define(name, PropertyKind.CONNECTION_READ_ONLY, type, def, id, section, List.of(aliases));
    }

    private static <T> Property<T> message(String name, Class<T> type, T def, String id, String section,
            String... aliases) {
        return define(name, PropertyKind.MESSAGE, type, def, id, section, List.of(aliases));
    }

    // Only called while the class initialises, before any constant is published.
    private Property<T> withRoleDefault(Role role, T value) {
        roleDefaults.put(role, value);
        return this;
    }

    private Property<T> inheriting(Property<?> parent) {
        this.inheritsFrom = parent;
        return this;
    }

    private static Map<String, Property<?>> buildIndex() {
        Map<String, Property<?>> index = new LinkedHashMap<>();
        for (Property<?> p : ALL) {
            List<String> keys = new ArrayList<>();
            keys.add(p.name);
            keys.addAll(p.aliases);
            for (String key : keys) {
                Property<?> previous = index.put(Words.propertyKey(key), p);
                if (previous != null && previous != p) {
                    throw new IllegalStateException("property name '" + key + "' is ambiguous: " + previous + ", " + p);
                }
            }
        }
        return Collections.unmodifiableMap(index);
    }

    // ------------------------------------------------------------------------------- statics

    /** Every property in RFC 9622 order (Selection, Connection, read-only, TCP, Message), then taps extensions. */
    public static List<Property<?>> all() {
        return ALL;
    }

    /** The properties of one kind, in table order. */
    public static List<Property<?>> ofKind(PropertyKind kind) {
        return BY_KIND.get(kind);
    }

    private static Map<PropertyKind, List<Property<?>>> byKind() {
        Map<PropertyKind, List<Property<?>>> kinds = new java.util.EnumMap<>(PropertyKind.class);
        for (PropertyKind kind : PropertyKind.values()) {
            List<Property<?>> out = new ArrayList<>();
            for (Property<?> p : ALL) {
                if (p.kind == kind) {
                    out.add(p);
                }
            }
            kinds.put(kind, List.copyOf(out));
        }
        return kinds;
    }

    /** The property called {@code name} or one of its aliases (C-20 rules), if any. */
    public static Optional<Property<?>> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(INDEX.get(Words.propertyKey(name)));
    }

    /**
     * The property called {@code name} or one of its aliases; an unknown name is an
     * {@link ErrorReason#INVALID_PROPERTY} that suggests the closest known name.
     */
    public static Property<?> byName(String name) {
        Optional<Property<?>> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        String key = name == null ? "" : Words.propertyKey(name);
        String removed = REMOVED.get(key);
        if (removed != null) {
            throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                    "unknown property '" + name + "': it " + removed);
        }
        Property<?> best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, Property<?>> e : INDEX.entrySet()) {
            int d = Words.distance(key, e.getKey());
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getValue();
            }
        }
        String hint = best != null && bestDistance <= Math.max(2, key.length() / 3)
                ? "; did you mean '" + best.name + "'?" : "";
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "unknown property '" + name + "'" + hint);
    }

    // ----------------------------------------------------------------------------- accessors

    /** The RFC 9622 name, e.g. {@code preserveMsgBoundaries} or {@code tcp.userTimeoutValue}. */
    public String name() {
        return name;
    }

    /** Selection, Connection, read-only Connection or Message. */
    public PropertyKind kind() {
        return kind;
    }

    /** The Java type of the value. */
    public Class<T> type() {
        return type;
    }

    /** The RFC 9622 default for an initiated Connection; see {@link #defaultFor(Role)}. */
    public T defaultValue() {
        return defaultValue;
    }

    /**
     * The default for a Connection created by {@code role}; differs from {@link #defaultValue()} only
     * for {@code useTemporaryLocalAddress} (SP-13), {@code multipath} (SP-14) and
     * {@code _taps.idleTimeout} (EXT-04).
     */
    public T defaultFor(Role role) {
        T v = roleDefaults.get(Objects.requireNonNull(role, "role"));
        return v != null ? v : defaultValue;
    }

    /** True when the default depends on the {@link Role}. */
    public boolean hasRoleDependentDefault() {
        return !roleDefaults.isEmpty();
    }

    /** Legacy names that also resolve to this property (IF06/NEATPy names, §1.15). */
    public List<String> aliases() {
        return aliases;
    }

    /** The checklist ID in taps-reference.md, e.g. {@code SP-01}; taps extensions use {@code EXT-nn}. */
    public String referenceId() {
        return referenceId;
    }

    /** The RFC 9622 section that defines the property, e.g. {@code 6.2.1}. */
    public String rfcSection() {
        return rfcSection;
    }

    /** The namespace before the last dot ({@code tcp}, {@code _taps}), empty for generic properties. */
    public Optional<String> namespace() {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(name.substring(0, dot));
    }

    /** The Connection property whose value is this Message property's default (MP-03, MP-07, MP-08). */
    public Optional<Property<?>> inheritsFrom() {
        return Optional.ofNullable(inheritsFrom);
    }

    /** True for Preference-typed properties (the ones Require/Prefer/... apply to). */
    public boolean isPreference() {
        return type == Preference.class;
    }

    // ---------------------------------------------------------------------------- conversion

    /**
     * Converts {@code value} to this property's type: an instance of the type as is; a String parsed
     * by the type's parser; a Boolean for a Preference (true = Require, false = Prohibit, the C-22
     * reading); a Number for Integer, Limit and ChecksumCoverage; a Duration for Timeout; a Map of name to
     * level for NamedPreferences. Anything else, and values out of range, are
     * {@link ErrorReason#INVALID_PROPERTY} naming the property, the expected type and the given value.
     */
    public T convert(Object value) {
        T converted;
        try {
            converted = coerce(value);
        } catch (RuntimeException e) {
            throw invalid(value, e);
        }
        if (converted == null) {
            throw invalid(value, null);
        }
        return converted;
    }

    private T coerce(Object value) {
        if (value == null) {
            return null;
        }
        Object out = null;
        if (type.isInstance(value)) {
            out = value;
        } else if (value instanceof CharSequence) {
            out = parse(value.toString());
        } else if (type == Preference.class && value instanceof Boolean) {
            out = (Boolean) value ? Preference.REQUIRE : Preference.PROHIBIT;
        } else if (value instanceof Number && !(value instanceof Boolean)) {
            if (type == Integer.class) {
                out = Math.toIntExact(exactLong((Number) value));
            } else if (type == Limit.class) {
                out = Limit.of(exactLong((Number) value));
            } else if (type == ChecksumCoverage.class) {
                out = ChecksumCoverage.bytes(Math.toIntExact(exactLong((Number) value)));
            }
        } else if (value instanceof Duration && type == Timeout.class) {
            out = Timeout.of((Duration) value);
        } else if (value instanceof Map && type == NamedPreferences.class) {
            NamedPreferences np = NamedPreferences.EMPTY;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                Object level = e.getValue();
                Preference pref = level instanceof Preference ? (Preference) level
                        : level instanceof Boolean ? ((Boolean) level ? Preference.REQUIRE : Preference.PROHIBIT)
                        : Preference.parse(String.valueOf(level));
                np = np.with(String.valueOf(e.getKey()), pref);
            }
            out = np;
        }
        if (out == null) {
            return null;
        }
        T typed = type.cast(out);
        checkRange(typed);
        return typed;
    }

    private Object parse(String text) {
        if (type == Preference.class) {
            // Configuration files write Booleans as text; read them like Boolean values (C-22).
            String key = text.trim().toLowerCase(Locale.ROOT);
            if (key.equals("true") || key.equals("false")) {
                return Boolean.parseBoolean(key) ? Preference.REQUIRE : Preference.PROHIBIT;
            }
            return Preference.parse(text);
        } else if (type == Boolean.class) {
            String key = text.trim().toLowerCase(Locale.ROOT);
            if (key.equals("true") || key.equals("false")) {
                return Boolean.valueOf(key);
            }
            throw new IllegalArgumentException("'" + text + "' is neither true nor false");
        } else if (type == Integer.class) {
            return Integer.valueOf(text.trim());
        } else if (type == Timeout.class) {
            return Timeout.parse(text);
        } else if (type == Limit.class) {
            return Limit.parse(text);
        } else if (type == ChecksumCoverage.class) {
            return ChecksumCoverage.parse(text);
        } else if (type == NamedPreferences.class) {
            return NamedPreferences.parse(text);
        } else if (type == Direction.class) {
            return Direction.parse(text);
        } else if (type == MultipathMode.class) {
            return MultipathMode.parse(text);
        } else if (type == MultipathPolicy.class) {
            return MultipathPolicy.parse(text);
        } else if (type == CapacityProfile.class) {
            return CapacityProfile.parse(text);
        } else if (type == ConnectionScheduler.class) {
            return ConnectionScheduler.parse(text);
        } else if (type == ConnectionState.class) {
            return ConnectionState.parse(text);
        }
        return null;
    }

    private static long exactLong(Number n) {
        return new BigDecimal(n.toString()).longValueExact();
    }

    // RFC 9622 gives priorities (§8.1.2, §9.1.3.2) as non-negative integers; the value types check their own ranges.
    private void checkRange(T value) {
        if (type == Integer.class && (Integer) value < 0) {
            throw new IllegalArgumentException("must be >= 0");
        }
    }

    private TransportServicesException invalid(Object value, Throwable cause) {
        String given = value == null ? "null" : "'" + value + "' (" + value.getClass().getName() + ")";
        String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                "property " + name + " expects " + expectedType() + "; got " + given + detail, cause);
    }

    private String expectedType() {
        if (type == Preference.class) {
            return "a Preference (require, prefer, no-preference, avoid, prohibit) or a Boolean";
        } else if (type == Boolean.class) {
            return "a Boolean (true or false)";
        } else if (type == Integer.class) {
            return "an Integer >= 0";
        } else if (type == Timeout.class) {
            return "a Timeout (a java.time.Duration > 0, 'disabled', PT5S or 250ms/5s/2m/1h)";
        } else if (type == Limit.class) {
            return "a Limit (a number >= 0 or 'unlimited')";
        } else if (type == ChecksumCoverage.class) {
            return "a ChecksumCoverage ('full-coverage' or a byte count >= 0)";
        } else if (type == NamedPreferences.class) {
            return "NamedPreferences (a Map of name to Preference, or 'name=level, ...')";
        }
        StringBuilder b = new StringBuilder("a ").append(type.getSimpleName()).append(" (");
        Object[] constants = type.getEnumConstants();
        for (int i = 0; i < constants.length; i++) {
            b.append(i == 0 ? "" : ", ").append(Words.kebab((Enum<?>) constants[i]));
        }
        return b.append(')').toString();
    }

    /** The RFC name. */
    @Override
    public String toString() {
        return name;
    }
}
