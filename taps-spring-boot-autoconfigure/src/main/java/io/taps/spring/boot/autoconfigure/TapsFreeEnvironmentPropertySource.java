package io.taps.spring.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.env.PropertySourceInfo;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The system environment without the {@code TAPS_*} variables {@link TapsConfigurationKeys} has
 * read into {@code taps.*} names, under the same name and with the same prefix and origins, so
 * Boot no longer reads them a second time in its own way.
 */
final class TapsFreeEnvironmentPropertySource extends SystemEnvironmentPropertySource
        implements PropertySourceInfo, OriginLookup<String> {
    private final SystemEnvironmentPropertySource original;

    TapsFreeEnvironmentPropertySource(SystemEnvironmentPropertySource original, Set<String> removed) {
        super(original.getName(), without(original.getSource(), removed));
        this.original = original;
    }

    private static Map<String, Object> without(Map<String, Object> source, Set<String> removed) {
        Map<String, Object> kept = new LinkedHashMap<>(source);
        kept.keySet().removeAll(removed);
        return kept;
    }

    @Override
    public @Nullable String getPrefix() {
        return this.original instanceof PropertySourceInfo info ? info.getPrefix() : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public @Nullable Origin getOrigin(String key) {
        return containsProperty(key) && this.original instanceof OriginLookup<?> lookup
                ? ((OriginLookup<String>) lookup).getOrigin(key) : null;
    }
}
