package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.taps.RacingConfig;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.spring.framer.TapsFramers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the configuration metadata the build generates (the processor's output merged with
 * {@code additional-spring-configuration-metadata.json}): the generated keys, and hints that list
 * exactly the property names, preference words, framers and profiles taps knows, so IDE completion
 * inside {@code taps.profiles.<name>} maps cannot drift from the core's tables.
 */
class ConfigurationMetadataTests {
    private static DocumentContext metadata;

    @BeforeAll
    static void readMetadata() throws Exception {
        metadata = JsonPath.parse(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
    }

    @Test
    void generatedPropertiesHaveDescriptions() {
        List<String> names = metadata.read("$.properties[*].name");
        assertThat(names).contains("taps.event-loop-threads", "taps.native-transport", "taps.name-servers",
                "taps.shutdown-timeout", "taps.racing.connection-attempt-delay", "taps.racing.resolution-delay",
                "taps.racing.max-leaves", "taps.listener.execution", "taps.listener.auto-startup", "taps.profiles",
                "taps.profiles.*.selection", "taps.profiles.*.framers", "taps.profiles.*.security.ssl-bundle",
                "taps.profiles.*.local.port");
        List<String> descriptions = metadata
            .read("$.properties[?(@.name == 'taps.racing.connection-attempt-delay')].description");
        assertThat(descriptions).singleElement().asString().contains("Stagger");
    }

    @Test
    void theHandlerPoolKeysHaveDefaults() {
        List<Object> maxSize = metadata.read("$.properties[?(@.name == 'taps.listener.pool.max-size')].defaultValue");
        assertThat(maxSize).containsExactly(200);
        List<Object> queue = metadata
            .read("$.properties[?(@.name == 'taps.listener.pool.queue-capacity')].defaultValue");
        assertThat(queue).containsExactly(1000);
        List<Object> keepAlive = metadata
            .read("$.properties[?(@.name == 'taps.listener.pool.keep-alive')].defaultValue");
        assertThat(keepAlive).containsExactly("60s");
    }

    @Test
    void thePortOverrideSwitchIsDocumentedOnce() {
        List<String> descriptions = metadata
            .read("$.properties[?(@.name == 'taps.listener.port-override')].description");
        assertThat(descriptions).singleElement().asString().contains("ephemeral").contains("@TapsTest")
            .contains("RANDOM_PORT");
    }

    @Test
    void theHealthIndicatorSwitchIsDocumented() {
        List<Object> enabled = metadata
            .read("$.properties[?(@.name == 'management.health.taps.enabled')].defaultValue");
        assertThat(enabled).containsExactly(true);
    }

    @Test
    void cacheAndPathMonitorKeysHaveDefaultsAndHints() {
        List<String> names = metadata.read("$.properties[*].name");
        assertThat(names).contains("taps.cache.performance-size", "taps.cache.performance-half-life",
                "taps.path-monitor.interval");
        List<Object> size = metadata.read("$.properties[?(@.name == 'taps.cache.performance-size')].defaultValue");
        assertThat(size).containsExactly(4096);
        List<Object> halfLife = metadata
            .read("$.properties[?(@.name == 'taps.cache.performance-half-life')].defaultValue");
        assertThat(halfLife).containsExactly("10m");
        List<Object> interval = metadata.read("$.properties[?(@.name == 'taps.path-monitor.interval')].defaultValue");
        assertThat(interval).containsExactly("5s");
        List<Object> off = metadata.read("$.hints[?(@.name == 'taps.path-monitor.interval')].values[*].value");
        assertThat(off).contains("0");
        List<Object> rankingOff = metadata.read("$.hints[?(@.name == 'taps.cache.performance-size')].values[*].value");
        assertThat(rankingOff).contains(0);
    }

    @Test
    void selectionHintsListEverySelectionPropertyAndThePreferenceWords() {
        assertHintKeysCover("taps.profiles.*.selection.keys", PropertyKind.SELECTION);
        List<String> words = values("taps.profiles.*.selection.values");
        assertThat(words).containsExactly("require", "prefer", "no-preference", "avoid", "prohibit");
        assertThat(words).allSatisfy(word -> assertThat(Preference.parse(word)).isNotNull());
    }

    @Test
    void connectionAndMessageHintsListEveryWritableProperty() {
        assertHintKeysCover("taps.profiles.*.connection.keys", PropertyKind.CONNECTION);
        assertHintKeysCover("taps.profiles.*.message.keys", PropertyKind.MESSAGE);
    }

    @Test
    void framerAndProfileHintsMatchTheBuiltIns() {
        assertThat(values("taps.profiles.*.framers")).containsExactlyInAnyOrderElementsOf(TapsFramers.builtIns().keySet());
        assertThat(values("taps.profiles.keys")).containsExactlyInAnyOrderElementsOf(TapsProfiles.builtInNames());
    }

    @Test
    void racingTimersShowTheCoreDefaults() {
        RacingConfig defaults = RacingConfig.defaults();
        assertThat(defaultOf("taps.racing.resolution-delay")).isEqualTo(text(defaults.resolutionDelay()));
        assertThat(defaultOf("taps.racing.connection-attempt-delay"))
            .isEqualTo(text(defaults.connectionAttemptDelay()));
        assertThat(defaultOf("taps.racing.minimum-attempt-delay")).isEqualTo(text(defaults.minimumAttemptDelay()));
        assertThat(defaultOf("taps.racing.maximum-attempt-delay")).isEqualTo(text(defaults.maximumAttemptDelay()));
        assertThat(defaultOf("taps.racing.max-leaves")).isEqualTo(defaults.maxLeaves());
        assertThat(defaultOf("taps.racing.max-addresses-per-host")).isEqualTo(defaults.maxAddressesPerHost());
    }

    @Test
    void everyKeyHasADefaultOrSaysWhatItDefaultsTo() {
        List<Map<String, Object>> properties = metadata.read("$.properties[?(@.name =~ /taps\\..*/)]");
        assertThat(properties).hasSizeGreaterThan(40);
        assertThat(properties).allSatisfy(property -> {
            String type = String.valueOf(property.get("type"));
            boolean group = type.startsWith("java.util.Map<java.lang.String,io.taps");
            if (!group && !property.containsKey("defaultValue")) {
                assertThat(String.valueOf(property.get("description"))).as("description of %s", property.get("name"))
                    .containsPattern("Defaults? to|Defaults to|[Dd]efault");
            }
        });
    }

    @Test
    void clientAuthSpeaksBootsWordsAndDocumentsTheOldOnesAsDeprecated() {
        assertThat(values("taps.profiles.*.security.client-auth")).containsExactly("none", "want", "need", "optional",
                "require");
        List<String> descriptions = metadata
            .read("$.hints[?(@.name == 'taps.profiles.*.security.client-auth')].values[*].description");
        assertThat(descriptions.subList(3, 5)).allSatisfy(d -> assertThat(d).startsWith("Deprecated"));
        for (String word : List.of("none", "want", "need", "optional", "require")) {
            assertThat(TapsProperties.ClientAuth.valueOf(word.toUpperCase(java.util.Locale.ROOT))).isNotNull();
        }
    }

    @Test
    void framerOptionsAreDocumentedWithDefaults() {
        assertThat(defaultOf("taps.framers.*.length-size")).isEqualTo(4);
        assertThat(defaultOf("taps.framers.*.type-size")).isEqualTo(2);
        assertThat(defaultOf("taps.framers.*.byte-order")).isEqualTo("big-endian");
        assertThat(defaultOf("taps.framers.*.delimiter")).isEqualTo("lf");
        assertThat(values("taps.framers.keys")).containsExactlyInAnyOrderElementsOf(TapsFramers.builtIns().keySet());
        List<String> described = metadata.read("$.properties[?(@.name =~ /taps\\.framers\\.\\*\\..*/)].name");
        assertThat(described).containsExactlyInAnyOrder("taps.framers.*.type", "taps.framers.*.length-size",
                "taps.framers.*.type-size", "taps.framers.*.byte-order", "taps.framers.*.delimiter",
                "taps.framers.*.crlf-tolerant", "taps.framers.*.keep-delimiter", "taps.framers.*.max-message-size");
    }

    private static Object defaultOf(String name) {
        List<Object> values = metadata.read("$.properties[?(@.name == '" + name + "')].defaultValue");
        assertThat(values).as("default of %s", name).hasSize(1);
        return values.get(0);
    }

    private static String text(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static void assertHintKeysCover(String hint, PropertyKind kind) {
        List<String> keys = values(hint);
        assertThat(keys).hasSameSizeAs(Property.ofKind(kind));
        // every hinted spelling resolves to a property of the kind, and every property is hinted
        assertThat(keys).allSatisfy(key -> assertThat(Property.find(key)).hasValueSatisfying(
                property -> assertThat(property.kind()).isEqualTo(kind)));
        List<String> hinted = keys.stream().map(key -> Property.find(key).orElseThrow().name()).distinct().toList();
        assertThat(hinted).containsExactlyInAnyOrderElementsOf(
                Property.ofKind(kind).stream().map(Property::name).toList());
    }

    private static List<String> values(String hint) {
        return metadata.read("$.hints[?(@.name == '" + hint + "')].values[*].value");
    }
}
