package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Lenient spelling rules shared by the value parsers, so that RFC spellings ("Low Latency/Interactive"),
 * Java constants ("LOW_LATENCY_INTERACTIVE") and Spring's kebab case ("low-latency-interactive") all
 * mean the same word (Q-1, C-20).
 */
final class Words {
    private Words() {
    }

    /** Lower case with every character that is not a letter or a digit removed. */
    static String wordKey(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }

    /** Lower case with '-', '_' and whitespace removed; the namespace dot is kept because it is structural. */
    static String propertyKey(String name) {
        return name.replaceAll("[-_\\s]", "").toLowerCase(Locale.ROOT);
    }

    /** The kebab-case spelling of an enum constant, used in messages. */
    static String kebab(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses an enum word by {@link #wordKey}; {@code extra} maps further accepted keys (already in
     * key form) to constants.
     */
    static <E extends Enum<E>> E parseEnum(Class<E> type, String text, Map<String, E> extra) {
        if (text != null) {
            String key = wordKey(text);
            for (E constant : type.getEnumConstants()) {
                if (wordKey(constant.name()).equals(key)) {
                    return constant;
                }
            }
            E aliased = extra.get(key);
            if (aliased != null) {
                return aliased;
            }
        }
        StringJoiner expected = new StringJoiner(", ");
        for (E constant : type.getEnumConstants()) {
            expected.add(kebab(constant));
        }
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                "'" + text + "' is not a " + type.getSimpleName() + "; expected one of " + expected);
    }

    /** Levenshtein distance, for "did you mean" hints on a table of a few dozen names. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
