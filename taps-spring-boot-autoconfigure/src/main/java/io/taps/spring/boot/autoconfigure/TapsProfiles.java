package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.TapsProfile.EndpointSettings;
import io.taps.spring.framer.TapsFramers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The named property profiles of {@code taps.profiles.*} (RFC 9622 §6, Appendix B.2), resolved
 * and checked when the bean is created, so a wrong name or value fails start-up with a
 * {@link TapsConfigurationException} naming the full key.
 *
 * <p>Built-in profiles: {@code default} (every RFC 9622 default), {@code reliable-inorder-stream},
 * {@code reliable-message} and {@code unreliable-datagram} (RFC 9622 Appendix B.2, the same as
 * {@link TransportProperties#reliableInorderStream()} and friends), and
 * {@code secure-unreliable-datagram}: unreliable datagrams that stay secure (DTLS/UDP; RFC 9621
 * §3.3, never plain UDP). A configured profile starts from
 * its {@code base} profile, from the built-in of the same name, or else from {@code default}; its
 * properties are applied on top, and its security, framers and endpoints replace the base's when
 * given.
 *
 * <pre>{@code
 * Connection c = profiles.preconnection("chat")
 *     .remote(RemoteEndpoint.ofHost("chat.example", 7000))
 *     .build()
 *     .initiate();
 * }</pre>
 */
public final class TapsProfiles {
    /** The profile {@code @TapsListener} uses when none is named. */
    public static final String DEFAULT_PROFILE = "default";

    private static final Map<String, Supplier<TransportProperties>> BUILT_IN = builtIns();

    private static final Log logger = LogFactory.getLog(TapsProfiles.class);

    private final TransportServices transportServices;
    private volatile Map<String, TapsProfile> profiles;
    private final Map<String, String> byUniformName;
    private final Map<String, String> contentTypes;

    public TapsProfiles(TransportServices transportServices, TapsProperties properties, TapsFramers framers,
            @Nullable SslBundles sslBundles) {
        this.transportServices = transportServices;
        this.profiles = Collections.unmodifiableMap(
                new Resolver(canonicalNames(properties.getProfiles()), framers, sslBundles).resolveAll());
        this.byUniformName = new LinkedHashMap<>();
        this.profiles.keySet().forEach(name -> this.byUniformName.put(TapsKeySchema.uniform(name), name));
        this.contentTypes = contentTypes(canonicalNames(properties.getProfiles()));
    }

    /** Each configured profile's content type, its own or its nearest base profile's (bases were checked for cycles). */
    private static Map<String, String> contentTypes(Map<String, TapsProperties.Profile> configured) {
        Map<String, String> contentTypes = new LinkedHashMap<>();
        for (String name : configured.keySet()) {
            TapsProperties.Profile profile = configured.get(name);
            while (profile != null && profile.getContentType() == null && profile.getBase() != null) {
                profile = configured.get(profile.getBase());
            }
            if (profile != null && profile.getContentType() != null) {
                contentTypes.put(name, profile.getContentType());
            }
        }
        return contentTypes;
    }

    /**
     * The configured profiles with names compared as Boot compares keys, ignoring case and every
     * character but letters and digits: {@code reliableMessage} is the built-in
     * {@code reliable-message}, and two spellings of one name (which Boot binds as two map keys)
     * fail instead of one silently shadowing the other.
     */
    private static Map<String, TapsProperties.Profile> canonicalNames(Map<String, TapsProperties.Profile> configured) {
        Map<String, String> builtIns = new LinkedHashMap<>();
        BUILT_IN.keySet().forEach(name -> builtIns.put(TapsKeySchema.uniform(name), name));
        Map<String, String> seen = new LinkedHashMap<>();
        Map<String, TapsProperties.Profile> canonical = new LinkedHashMap<>();
        for (Map.Entry<String, TapsProperties.Profile> entry : configured.entrySet()) {
            String uniform = TapsKeySchema.uniform(entry.getKey());
            String previous = seen.putIfAbsent(uniform, entry.getKey());
            if (previous != null) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION,
                        "taps.profiles." + entry.getKey(),
                        "names the same profile as taps.profiles." + previous
                                + " (profile names compare ignoring case, '-' and '_')",
                        "Spell the profile one way in every property source.", null);
            }
            canonical.put(builtIns.getOrDefault(uniform, entry.getKey()), entry.getValue());
        }
        return canonical;
    }

    private static Map<String, Supplier<TransportProperties>> builtIns() {
        Map<String, Supplier<TransportProperties>> builtIns = new LinkedHashMap<>();
        builtIns.put(DEFAULT_PROFILE, TransportProperties::defaults);
        builtIns.put("reliable-inorder-stream", TransportProperties::reliableInorderStream);
        builtIns.put("reliable-message", TransportProperties::reliableMessage);
        builtIns.put("unreliable-datagram", TransportProperties::unreliableDatagram);
        // Unreliable datagrams with the secure default: selects DTLS/UDP (issue 18), never plain UDP.
        builtIns.put("secure-unreliable-datagram", TransportProperties::unreliableDatagram);
        return builtIns;
    }

    /** The names of the built-in profiles. */
    public static Set<String> builtInNames() {
        return BUILT_IN.keySet();
    }

    /**
     * A Preconnection builder holding the profile's Transport Properties, Security Parameters,
     * framers and endpoints; the caller may add endpoints before {@code build()}.
     *
     * @throws TransportServicesException ({@link ErrorReason#INVALID_CONFIGURATION}) for an unknown
     *         profile name, listing the known ones
     */
    public Preconnection.Builder preconnection(String profile) {
        TapsProfile resolved = get(profile);
        Preconnection.Builder builder = this.transportServices.preconnection()
                .properties(resolved.transportProperties())
                .security(resolved.securityParameters())
                .framer(resolved.framers().toArray(FramerFactory[]::new));
        resolved.remoteEndpoint().ifPresent(builder::remote);
        resolved.localEndpoint(null, null).ifPresent(builder::local);
        if (resolved.proxies() != null) {
            builder.proxies(resolved.proxies());
        }
        return builder;
    }

    /**
     * Like {@link #preconnection(String)}, with {@code local} as the only local endpoint instead of
     * the profile's: what a Listener on a given port is built from.
     */
    public Preconnection.Builder preconnection(String profile, LocalEndpoint local) {
        TapsProfile resolved = get(profile);
        Preconnection.Builder builder = this.transportServices.preconnection()
                .properties(resolved.transportProperties())
                .security(resolved.securityParameters())
                .framer(resolved.framers().toArray(FramerFactory[]::new))
                .local(local);
        resolved.remoteEndpoint().ifPresent(builder::remote);
        return builder;
    }

    /**
     * Like {@link #preconnection(String)}, with {@code remote} as the only remote endpoint instead of
     * the profile's: what a {@code taps.clients.<name>} client initiates.
     */
    public Preconnection.Builder preconnection(String profile, io.taps.endpoint.RemoteEndpoint remote) {
        TapsProfile resolved = get(profile);
        Preconnection.Builder builder = this.transportServices.preconnection()
                .properties(resolved.transportProperties())
                .security(resolved.securityParameters())
                .framer(resolved.framers().toArray(FramerFactory[]::new))
                .remote(remote);
        resolved.localEndpoint(null, null).ifPresent(builder::local);
        if (resolved.proxies() != null) {
            builder.proxies(resolved.proxies());
        }
        return builder;
    }

    /** The resolved profile called {@code name}; an unknown name fails listing the known ones. */
    public TapsProfile get(String name) {
        TapsProfile profile = this.profiles.get(name);
        if (profile == null) {
            String spelled = this.byUniformName.get(TapsKeySchema.uniform(name));
            profile = spelled == null ? null : this.profiles.get(spelled);
        }
        if (profile == null) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "unknown taps profile '" + name + "'; known profiles: " + names());
        }
        return profile;
    }

    /**
     * The content type of profile {@code name} ({@code taps.profiles.<name>.content-type}, else its
     * base profile's), which picks the converters of {@code @TapsListener} payloads and replies.
     */
    public Optional<String> contentType(String name) {
        String contentType = this.contentTypes.get(name);
        if (contentType == null) {
            String spelled = this.byUniformName.get(TapsKeySchema.uniform(name));
            contentType = spelled == null ? null : this.contentTypes.get(spelled);
        }
        return Optional.ofNullable(contentType);
    }

    /** Every profile name, built-in and configured, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(this.profiles.keySet()));
    }

    /**
     * Every resolved profile by name. A profile's Security Parameters change when an SSL bundle it
     * names is reloaded ({@link TapsSslBundleReloader}); everything else stays as resolved at start-up.
     */
    public Map<String, TapsProfile> profiles() {
        return this.profiles;
    }

    /**
     * Takes the Security Parameters of {@code reloaded}, the same configuration resolved again after
     * an SSL bundle was reloaded: Preconnections built from now on use them.
     *
     * @return the new Security Parameters of the profiles whose parameters changed, by profile name
     */
    synchronized Map<String, SecurityParameters> takeSecurity(TapsProfiles reloaded) {
        Map<String, TapsProfile> updated = new LinkedHashMap<>(this.profiles);
        Map<String, SecurityParameters> changed = new LinkedHashMap<>();
        for (TapsProfile current : this.profiles.values()) {
            TapsProfile fresh = reloaded.profiles.get(current.name());
            if (fresh != null && !fresh.securityParameters().equals(current.securityParameters())) {
                updated.put(current.name(), new TapsProfile(current.name(), current.transportProperties(),
                        fresh.securityParameters(), current.framerNames(), current.framers(), current.local(),
                        current.remote(), current.proxies()));
                changed.put(current.name(), fresh.securityParameters());
            }
        }
        this.profiles = Collections.unmodifiableMap(updated);
        return changed;
    }

    /** Resolves every profile once, following base chains and reporting the first bad key. */
    private static final class Resolver {
        private final Map<String, TapsProperties.Profile> configured;
        private final TapsFramers framers;
        private final @Nullable SslBundles sslBundles;
        private final Map<String, TapsProfile> resolved = new LinkedHashMap<>();
        private final Set<String> resolving = new HashSet<>();

        Resolver(Map<String, TapsProperties.Profile> configured, TapsFramers framers, @Nullable SslBundles sslBundles) {
            this.configured = configured;
            this.framers = framers;
            this.sslBundles = sslBundles;
        }

        /** The configured or built-in spelling of {@code name}, compared ignoring case and dashes. */
        private String spelled(String name) {
            if (this.configured.containsKey(name) || BUILT_IN.containsKey(name)) {
                return name;
            }
            String wanted = TapsKeySchema.uniform(name);
            for (String known : this.configured.keySet()) {
                if (TapsKeySchema.uniform(known).equals(wanted)) {
                    return known;
                }
            }
            for (String known : BUILT_IN.keySet()) {
                if (TapsKeySchema.uniform(known).equals(wanted)) {
                    return known;
                }
            }
            return name;
        }

        Map<String, TapsProfile> resolveAll() {
            for (String name : BUILT_IN.keySet()) {
                resolve(name, "taps.profiles");
            }
            for (String name : this.configured.keySet()) {
                resolve(name, "taps.profiles");
            }
            return this.resolved;
        }

        private TapsProfile resolve(String requested, String referencedFrom) {
            String name = spelled(requested);
            TapsProfile done = this.resolved.get(name);
            if (done != null) {
                return done;
            }
            TapsProperties.Profile profile = this.configured.get(name);
            Supplier<TransportProperties> builtIn = BUILT_IN.get(name);
            if (profile == null) {
                if (builtIn == null) {
                    Set<String> known = new TreeSet<>(BUILT_IN.keySet());
                    known.addAll(this.configured.keySet());
                    throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, referencedFrom,
                            "unknown taps profile '" + name + "'",
                            "Name one of the profiles " + known + " or define taps.profiles." + name + ".", null);
                }
                TapsProfile base = new TapsProfile(name, builtIn.get(), SecurityParameters.secureDefault(), List.of(),
                        List.of(), null, null);
                this.resolved.put(name, base);
                return base;
            }
            String prefix = "taps.profiles." + name;
            if (!this.resolving.add(name)) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix + ".base",
                        "profile '" + name + "' is its own base (a cycle of base profiles)",
                        "Remove the cycle from the base settings of the taps profiles.", null);
            }
            TapsProfile base;
            if (profile.getBase() != null) {
                base = resolve(profile.getBase(), prefix + ".base");
            }
            else if (builtIn != null) {
                base = new TapsProfile(name, builtIn.get(), SecurityParameters.secureDefault(), List.of(), List.of(), null,
                        null);
            }
            else {
                base = resolve(DEFAULT_PROFILE, prefix);
            }
            TransportProperties.Builder properties = base.transportProperties().toBuilder();
            apply(properties, profile.getSelection(), prefix + ".selection", PropertyKind.SELECTION);
            apply(properties, profile.getConnection(), prefix + ".connection", PropertyKind.CONNECTION);
            apply(properties, profile.getMessage(), prefix + ".message", PropertyKind.MESSAGE);
            SecurityParameters security = profile.getSecurity().isConfigured()
                    ? security(profile.getSecurity(), prefix + ".security") : base.securityParameters();
            List<String> framerNames = profile.getFramers().isEmpty() ? base.framerNames() : profile.getFramers();
            List<FramerFactory> factories = new ArrayList<>();
            for (int i = 0; i < framerNames.size(); i++) {
                String framerName = framerNames.get(i);
                FramerFactory factory = this.framers.find(framerName).orElse(null);
                if (factory == null) {
                    throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION,
                            prefix + ".framers[" + i + "]", "unknown framer '" + framerName + "'",
                            "Use one of the framers " + this.framers.names()
                                    + " or declare a FramerFactory bean annotated @TapsFramer(\"" + framerName + "\").",
                            null);
                }
                factories.add(factory);
            }
            EndpointSettings local = profile.getLocal().isConfigured() ? settings(profile.getLocal()) : base.local();
            EndpointSettings remote = profile.getRemote().isConfigured() ? settings(profile.getRemote())
                    : base.remote();
            TapsProfile result = new TapsProfile(name, properties.build(), security, framerNames, factories, local,
                    remote, TapsProxies.toConfig(profile.getProxies(), prefix + ".proxies", base.proxies()));
            this.resolving.remove(name);
            this.resolved.put(name, result);
            // Endpoints are checked here so a bad host or port fails start-up, not the first use.
            checkEndpoints(result, prefix);
            return result;
        }

        private static EndpointSettings settings(TapsProperties.Endpoint endpoint) {
            return new EndpointSettings(endpoint.getHost(), endpoint.getPort(), endpoint.getInterfaceName());
        }

        private static void checkEndpoints(TapsProfile profile, String prefix) {
            try {
                profile.localEndpoint(null, null);
            }
            catch (TransportServicesException ex) {
                throw invalid(prefix + ".local", ex, "Fix the local endpoint of the profile.");
            }
            try {
                profile.remoteEndpoint();
            }
            catch (TransportServicesException ex) {
                throw invalid(prefix + ".remote", ex, "Fix the remote endpoint of the profile.");
            }
        }

        private static void apply(TransportProperties.Builder builder, Map<String, String> values, String prefix,
                PropertyKind kind) {
            Map<String, Map<String, String>> namedPreferences = new LinkedHashMap<>();
            Map<Property<?>, String> setBy = new LinkedHashMap<>();
            for (Map.Entry<String, String> entry : values.entrySet()) {
                String name = entry.getKey();
                String key = prefix + "." + name;
                int dot = name.indexOf('.');
                if (dot > 0 && isNamedPreferences(name.substring(0, dot))) {
                    // YAML maps such as interface: {wlan0: prefer} arrive flattened as interface.wlan0.
                    namedPreferences.computeIfAbsent(name.substring(0, dot), n -> new LinkedHashMap<>())
                        .put(name.substring(dot + 1), entry.getValue());
                    continue;
                }
                Property<?> property = set(builder, name, entry.getValue(), key, kind);
                String previous = setBy.putIfAbsent(property, key);
                if (previous != null) {
                    // Boot keeps differently spelt keys apart, so which one wins would be arbitrary.
                    throw new TapsConfigurationException(ErrorReason.INVALID_PROPERTY, key,
                            "sets " + property.name() + " a second time; " + previous + " sets it too",
                            "Spell " + property.name() + " one way in every property source.", null);
                }
            }
            namedPreferences.forEach((name, map) -> set(builder, name, map, prefix + "." + name, kind));
        }

        private static boolean isNamedPreferences(String name) {
            return Property.find(name).map(p -> p == Property.INTERFACE || p == Property.PVD).orElse(false);
        }

        private static Property<?> set(TransportProperties.Builder builder, String name, Object value, String key,
                PropertyKind kind) {
            String section = key.substring(0, key.length() - name.length() - 1);
            String profilePrefix = section.substring(0, section.lastIndexOf('.'));
            Property<?> property;
            try {
                property = relaxedProperty(name).orElseGet(() -> Property.byName(name));
            }
            catch (TransportServicesException ex) {
                throw invalid(key, ex, "Use an RFC 9622 " + kindName(kind) + " name such as "
                        + Property.ofKind(kind).get(0).name() + " (any case, dashes allowed).");
            }
            if (property.kind() != kind) {
                throw new TapsConfigurationException(ErrorReason.INVALID_PROPERTY, key,
                        property.name() + " is a " + kindName(property.kind()) + ", not a " + kindName(kind),
                        "Move it under " + profilePrefix + "." + sectionOf(property.kind()) + ".",
                        null);
            }
            try {
                builder.set(property.name(), BootStyleValues.convert(property, value));
            }
            catch (TransportServicesException ex) {
                throw invalid(key, ex, BootStyleValues.expected(property));
            }
            return property;
        }

        /**
         * The RFC 9622 property {@code name} spells in any relaxed form, including environment
         * variables' dots between words ({@code preserve.msg.boundaries},
         * {@code tcp.user.timeout.value}): compared ignoring case and every character but letters
         * and digits, when that names exactly one property.
         */
        static Optional<Property<?>> relaxedProperty(String name) {
            Optional<Property<?>> exact = Property.find(name);
            if (exact.isPresent()) {
                return exact;
            }
            String wanted = TapsKeySchema.uniform(name);
            Property<?> found = null;
            for (Property<?> property : Property.all()) {
                List<String> spellings = new ArrayList<>(property.aliases());
                spellings.add(property.name());
                for (String spelling : spellings) {
                    if (TapsKeySchema.uniform(spelling).equals(wanted)) {
                        if (found != null && found != property) {
                            return Optional.empty();
                        }
                        found = property;
                    }
                }
            }
            return Optional.ofNullable(found);
        }

        private static String kindName(PropertyKind kind) {
            return switch (kind) {
                case SELECTION -> "Selection Property";
                case CONNECTION -> "Connection Property";
                case CONNECTION_READ_ONLY -> "read-only Connection Property";
                case MESSAGE -> "Message Property";
            };
        }

        private static String sectionOf(PropertyKind kind) {
            return kind == PropertyKind.SELECTION ? "selection" : kind == PropertyKind.MESSAGE ? "message" : "connection";
        }

        private SecurityParameters security(TapsProperties.Security settings, String prefix) {
            // Secure by default (RFC 9622 §6.3): only enabled=false makes a profile cleartext.
            boolean enabled = settings.getEnabled() == null || settings.getEnabled();
            if (!enabled) {
                return SecurityParameters.disabled();
            }
            SecurityParameters.Builder builder = SecurityParameters.builder();
            try {
                if (settings.getSslBundle() != null) {
                    SslBundleSecurity.apply(bundle(settings.getSslBundle(), prefix + ".ssl-bundle"), builder);
                }
                if (!settings.getAlpn().isEmpty()) {
                    builder.alpn(settings.getAlpn().toArray(String[]::new));
                }
                TapsProperties.ClientAuth clientAuth = settings.getClientAuth();
                if (clientAuth != null) {
                    if (clientAuth.current() != clientAuth) {
                        logger.warn(prefix + ".client-auth=" + clientAuth.name().toLowerCase(Locale.ROOT)
                                + " is deprecated; write " + clientAuth.current().name().toLowerCase(Locale.ROOT)
                                + " (Boot's none|want|need)");
                    }
                    builder.clientAuthentication(clientAuth.clientAuthentication());
                }
                if (settings.getServerName() != null) {
                    builder.serverName(settings.getServerName());
                }
                return builder.build();
            }
            catch (TransportServicesException ex) {
                if (ex instanceof TapsConfigurationException) {
                    throw ex;
                }
                throw invalid(prefix, ex, "Fix the security settings of the profile.");
            }
        }

        private SslBundle bundle(String name, String key) {
            if (this.sslBundles == null) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                        "SSL bundle '" + name + "' is named but no SslBundles bean exists",
                        "Define spring.ssl.bundle.*." + name + " with Spring Boot's SSL auto-configuration enabled.",
                        null);
            }
            try {
                return this.sslBundles.getBundle(name);
            }
            catch (NoSuchSslBundleException ex) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                        "unknown SSL bundle '" + name + "'",
                        "Define it under spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks." + name
                                + ", or name one of " + new TreeSet<>(this.sslBundles.getBundleNames()) + ".",
                        ex);
            }
        }

        private static TapsConfigurationException invalid(String key, TransportServicesException ex, String action) {
            return TapsConfigurationException.at(key, ex, action);
        }
    }
}
