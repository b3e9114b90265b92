package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.spring.boot.autoconfigure.TapsEnvironmentVariables.Translation;
import io.taps.spring.boot.autoconfigure.TapsKeySchema.Node;
import io.taps.spring.framer.TapsFramers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.PropertySourceInfo;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Checks every {@code taps.*} key of the Environment before {@link TapsProperties} binds, so a
 * misspelt key fails start-up with the full key, where it came from and the nearest known key,
 * instead of being ignored (Boot ignores unknown keys, and environment variables and system
 * properties even with {@code ignoreUnknownFields = false}); and reads {@code TAPS_*} environment
 * variables by the rule of {@link TapsEnvironmentVariables}: their {@code taps.*} names go into a
 * property source placed just before the system environment (so precedence is unchanged), and the
 * system environment source is replaced by one without them, so Boot's own reading of them cannot
 * create a second, shadow profile.
 *
 * <p>A {@link BeanFactoryPostProcessor} so it runs in every context that imports
 * {@link TapsAutoConfiguration}, {@code SpringApplication} and {@code ApplicationContextRunner}
 * alike, before any bean binds.
 */
final class TapsConfigurationKeys implements BeanFactoryPostProcessor, EnvironmentAware, PriorityOrdered {
    /** Name of the property source holding the {@code taps.*} names of the environment variables. */
    static final String SOURCE_NAME = "tapsEnvironmentVariables";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(TapsKeySchema.ROOT);

    private @Nullable ConfigurableEnvironment environment;

    @Override
    public void setEnvironment(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            this.environment = configurable;
        }
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (this.environment != null) {
            apply(this.environment);
        }
    }

    /** Checks the keys of {@code environment} and installs the read environment variables. */
    static void apply(ConfigurableEnvironment environment) {
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Map<String, String>> knownKeys = builtInKeys();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!isEnvironmentVariables(source.getUnderlyingSource())
                    && source instanceof IterableConfigurationPropertySource iterable) {
                for (ConfigurationPropertyName name : iterable) {
                    if (ROOT.isAncestorOf(name)) {
                        String problem = check(name, iterable.getConfigurationProperty(name), knownKeys);
                        if (problem != null) {
                            problems.putIfAbsent(name.toString(), problem);
                        }
                    }
                }
            }
        }
        List<PropertySource<?>> sources = new ArrayList<>();
        environment.getPropertySources().forEach(sources::add);
        for (PropertySource<?> source : sources) {
            if (isEnvironmentVariables(source) && !(source instanceof TapsFreeEnvironmentPropertySource)) {
                readEnvironmentVariables(environment, (SystemEnvironmentPropertySource) source, knownKeys, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw failure(problems);
        }
    }

    private static Map<String, Map<String, String>> builtInKeys() {
        Map<String, Map<String, String>> known = new HashMap<>();
        TapsProfiles.builtInNames().forEach(name -> remember(known, "taps.profiles", name));
        TapsFramers.builtIns().keySet().forEach(name -> remember(known, "taps.framers", name));
        return known;
    }

    private static void remember(Map<String, Map<String, String>> known, String uniformPath, String key) {
        known.computeIfAbsent(uniformPath, p -> new HashMap<>()).putIfAbsent(TapsKeySchema.uniform(key), key);
    }

    /** The problem with {@code name}, or null when it names a taps key; remembers map keys. */
    private static @Nullable String check(ConfigurationPropertyName name, @Nullable ConfigurationProperty property,
            Map<String, Map<String, String>> knownKeys) {
        Node node = TapsKeySchema.root();
        StringBuilder path = new StringBuilder(TapsKeySchema.ROOT);
        StringBuilder uniformPath = new StringBuilder(TapsKeySchema.ROOT);
        int count = name.getNumberOfElements();
        for (int i = 1; i < count; i++) {
            String element = name.getElement(i, Form.ORIGINAL);
            switch (node.kind) {
                case GROUP -> {
                    Map.Entry<String, Node> child = node.child(element);
                    if (child == null) {
                        return unknown(path, element, node, property);
                    }
                    path.append('.').append(child.getKey());
                    uniformPath.append('.').append(TapsKeySchema.uniform(child.getKey()));
                    node = child.getValue();
                }
                case MAP -> {
                    remember(knownKeys, uniformPath.toString(), element);
                    path.append('.').append(element);
                    uniformPath.append('.').append(TapsKeySchema.uniform(element));
                    node = node.value;
                }
                case OPEN_MAP -> {
                    List<String> rest = new ArrayList<>();
                    for (int j = i; j < count; j++) {
                        rest.add(name.getElement(j, Form.ORIGINAL));
                    }
                    remember(knownKeys, uniformPath.toString(), String.join(".", rest));
                    return null;
                }
                case LIST -> {
                    if (i == count - 1 && name.isNumericIndex(i)) {
                        return null;
                    }
                    return path + " is a list; only an index such as " + path + "[0] may follow it" + origin(property);
                }
                case VALUE -> {
                    return path + " is a value; it has no key '" + element + "'" + origin(property);
                }
            }
        }
        boolean empty = property == null || property.getValue() == null
                || property.getValue().toString().isEmpty();
        if (node.kind == TapsKeySchema.Kind.GROUP && !empty) {
            return path + " is a group of keys, not a value; set one of " + node.children.keySet() + origin(property);
        }
        if ((node.kind == TapsKeySchema.Kind.MAP || node.kind == TapsKeySchema.Kind.OPEN_MAP) && !empty) {
            return path + " needs a key below it, such as " + path + ".<name>" + origin(property);
        }
        return null;
    }

    private static String unknown(CharSequence path, String element, Node group, @Nullable ConfigurationProperty property) {
        String wanted = TapsKeySchema.uniform(element);
        String nearest = null;
        int distance = Integer.MAX_VALUE;
        for (String child : group.children.keySet()) {
            int d = distance(wanted, TapsKeySchema.uniform(child));
            if (d < distance) {
                distance = d;
                nearest = child;
            }
        }
        String hint = nearest != null && distance <= Math.max(2, wanted.length() / 3)
                ? "; did you mean " + path + "." + nearest + "?" : "";
        return "unknown key '" + element + "' under " + path + origin(property) + hint + " Keys under " + path + ": "
                + String.join(", ", group.children.keySet());
    }

    private static String origin(@Nullable ConfigurationProperty property) {
        Origin origin = property == null ? null : property.getOrigin();
        return origin == null ? "" : " (from " + origin + ")";
    }

    private static void readEnvironmentVariables(ConfigurableEnvironment environment,
            SystemEnvironmentPropertySource source, Map<String, Map<String, String>> knownKeys,
            Map<String, String> problems) {
        String prefix = source instanceof PropertySourceInfo info ? info.getPrefix() : null;
        String expected = (prefix == null ? "" : prefix + "_") + "TAPS_";
        Map<String, List<String>> variables = new LinkedHashMap<>();
        for (String variable : source.getPropertyNames()) {
            String upper = variable.toUpperCase(Locale.ROOT).replace('.', '_');
            if (upper.startsWith(expected)) {
                variables.put(variable, TapsEnvironmentVariables.words(variable.substring(expected.length())));
            }
        }
        if (variables.isEmpty()) {
            return;
        }
        Translation translation = new TapsEnvironmentVariables(knownKeys).translate(variables);
        translation.problems().forEach((variable, problem) -> problems.putIfAbsent(variable,
                "environment variable " + variable + " " + problem));
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> setBy = new HashMap<>();
        translation.names().forEach((variable, name) -> {
            String previous = setBy.putIfAbsent(name, variable);
            if (previous != null) {
                // TAPS_EVENT_LOOP_THREADS and TAPS_EVENTLOOPTHREADS: which one wins would be arbitrary.
                problems.putIfAbsent(variable, "environment variable " + variable + " sets " + name + " like "
                        + previous + " does; set it once");
            }
            values.put(name, OriginTrackedValue.of(source.getProperty(variable), new SystemEnvironmentOrigin(variable)));
        });
        String sourceName = source.getName();
        String tapsSourceName = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(sourceName)
                ? SOURCE_NAME : SOURCE_NAME + "[" + sourceName + "]";
        environment.getPropertySources().addBefore(sourceName, new OriginTrackedMapPropertySource(tapsSourceName,
                values, true));
        environment.getPropertySources().replace(sourceName,
                new TapsFreeEnvironmentPropertySource(source, variables.keySet()));
    }

    /** Whether Boot reads {@code source} as environment variables (underscores for dots). */
    static boolean isEnvironmentVariables(Object source) {
        return source instanceof SystemEnvironmentPropertySource environmentSource
                && (StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(environmentSource.getName())
                        || environmentSource.getName()
                            .endsWith("-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME));
    }

    private static TapsConfigurationException failure(Map<String, String> problems) {
        Map.Entry<String, String> first = problems.entrySet().iterator().next();
        Set<String> others = new LinkedHashSet<>(problems.keySet());
        others.remove(first.getKey());
        String more = others.isEmpty() ? "" : " (and " + others.size() + " more: " + String.join(", ", others) + ")";
        return new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, first.getKey(),
                first.getValue() + more,
                "Every taps.* key must be a key of TapsProperties (see the configuration metadata). Fix or remove the "
                        + "key. Environment variables: TAPS_ then the key with every '.' and '-' as '_', e.g. "
                        + "TAPS_PROFILES_SECURE_SERVER_SELECTION_PRESERVE_MSG_BOUNDARIES for "
                        + "taps.profiles.secure-server.selection.preserve-msg-boundaries.",
                null);
    }

    /** Levenshtein distance, for "did you mean" hints on a few dozen names. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
