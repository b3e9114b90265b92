package io.taps.spring.boot.autoconfigure;

import io.taps.spring.boot.autoconfigure.TapsKeySchema.Kind;
import io.taps.spring.boot.autoconfigure.TapsKeySchema.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code TAPS_*} environment variables against the {@link TapsKeySchema key tree}, because
 * Boot's own reading (every underscore becomes a dot) cannot reach map keys with dashes: it reads
 * {@code TAPS_PROFILES_SECURE_SERVER_SELECTION_RELIABILITY} as profile {@code secure} and drops it,
 * and {@code TAPS_PROFILES_SECURESERVER_...} as a second profile {@code secureserver} beside the
 * {@code secure-server} of application.yml.
 *
 * <p>The rule: the words of a variable, split at underscores, are matched against the tree. A
 * property name takes as many words as spell it without dashes ({@code EVENT_LOOP_THREADS} and
 * {@code EVENTLOOPTHREADS} are both {@code event-loop-threads}). A map key (profile name, listener
 * id, framer name) takes the words the rest of the variable leaves it, so
 * {@code TAPS_PROFILES_SECURE_SERVER_SELECTION_RELIABILITY} and
 * {@code TAPS_PROFILES_SECURESERVER_SELECTION_RELIABILITY} both reach profile {@code secure-server};
 * the key is spelled as another property source or a built-in spells it (compared ignoring case and
 * dashes), else as its words joined by dashes. The keys of the RFC property maps are the remaining
 * words joined by dots ({@code PRESERVE_MSG_BOUNDARIES} is {@code preserve.msg.boundaries}, which
 * {@link TapsProfiles} reads as {@code preserveMsgBoundaries}), or another source's spelling of the
 * same key. A variable that matches no key, or two keys, is reported, never dropped.
 */
final class TapsEnvironmentVariables {
    /** Keys other sources or built-ins spell, by the uniform path of their map and their uniform form. */
    private final Map<String, Map<String, String>> knownKeys;

    TapsEnvironmentVariables(Map<String, Map<String, String>> knownKeys) {
        this.knownKeys = knownKeys;
    }

    /** Splits a variable name (without {@code TAPS_}) into lower-case words. */
    static List<String> words(String name) {
        List<String> words = new ArrayList<>();
        for (String word : name.toLowerCase(Locale.ROOT).split("[_.]")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    /**
     * The {@code taps.*} names of {@code variables} (variable name to its words after {@code TAPS}),
     * or the problems of those that match no single key.
     */
    Translation translate(Map<String, List<String>> variables) {
        Map<String, List<Segment>> parsed = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> variable : variables.entrySet()) {
            List<String> words = variable.getValue();
            List<List<Segment>> parses = new ArrayList<>();
            Failure failure = new Failure();
            parse(TapsKeySchema.root(), words, 0, TapsKeySchema.ROOT, new ArrayDeque<>(), parses, failure);
            List<List<Segment>> best = preferKnown(parses);
            if (best.size() == 1) {
                parsed.put(variable.getKey(), best.get(0));
            }
            else if (best.isEmpty()) {
                problems.put(variable.getKey(), failure.describe(words));
            }
            else {
                problems.put(variable.getKey(), "matches " + best.size() + " keys: "
                        + best.stream().map(parse -> render(parse, Map.of())).collect(Collectors.joining(", "))
                        + "; define the map key in application.yml so its spelling decides");
            }
        }
        Map<String, String> envSpellings = envSpellings(parsed.values());
        Map<String, String> names = new LinkedHashMap<>();
        parsed.forEach((variable, segments) -> names.put(variable, render(segments, envSpellings)));
        return new Translation(names, problems);
    }

    private List<List<Segment>> preferKnown(List<List<Segment>> parses) {
        if (parses.size() <= 1) {
            return parses;
        }
        int most = -1;
        List<List<Segment>> best = new ArrayList<>();
        for (List<Segment> parse : parses) {
            int known = 0;
            for (Segment segment : parse) {
                if (segment.kind == SegmentKind.KEY && known(segment) != null) {
                    known++;
                }
            }
            if (known > most) {
                most = known;
                best.clear();
            }
            if (known == most) {
                best.add(parse);
            }
        }
        return best;
    }

    private void parse(Node node, List<String> words, int at, String path, Deque<Segment> segments,
            List<List<Segment>> out, Failure failure) {
        int count = words.size();
        switch (node.kind) {
            case VALUE -> {
                if (at == count) {
                    out.add(new ArrayList<>(segments));
                }
                else {
                    failure.at(at, "is a value, it has no key '" + words.get(at) + "'", null, segments);
                }
            }
            case LIST -> {
                if (at == count) {
                    out.add(new ArrayList<>(segments));
                }
                else if (at == count - 1 && words.get(at).chars().allMatch(Character::isDigit)) {
                    segments.addLast(new Segment(SegmentKind.INDEX, words.subList(at, count), path));
                    out.add(new ArrayList<>(segments));
                    segments.removeLast();
                }
                else {
                    failure.at(at, "is a list, only an index may follow it", null, segments);
                }
            }
            case OPEN_MAP -> {
                if (at < count) {
                    segments.addLast(new Segment(SegmentKind.OPEN, words.subList(at, count), path));
                    out.add(new ArrayList<>(segments));
                    segments.removeLast();
                }
                else {
                    failure.at(at, "needs a key below it", null, segments);
                }
            }
            case MAP -> {
                if (at == count) {
                    failure.at(at, "needs a key below it", null, segments);
                }
                for (int end = at + 1; end <= count; end++) {
                    List<String> key = words.subList(at, end);
                    segments.addLast(new Segment(SegmentKind.KEY, key, path));
                    parse(node.value, words, end, path + "." + String.join("", key), segments, out, failure);
                    segments.removeLast();
                }
            }
            case GROUP -> {
                if (at == count) {
                    failure.at(at, "is a group of keys, not a value", node, segments);
                    return;
                }
                boolean matched = false;
                for (Map.Entry<String, Node> child : node.children.entrySet()) {
                    String wanted = TapsKeySchema.uniform(child.getKey());
                    StringBuilder spelled = new StringBuilder();
                    for (int end = at; end < count; end++) {
                        spelled.append(words.get(end));
                        if (!wanted.startsWith(spelled.toString())) {
                            break;
                        }
                        if (wanted.contentEquals(spelled)) {
                            matched = true;
                            segments.addLast(new Segment(SegmentKind.PROPERTY, List.of(child.getKey()), path));
                            parse(child.getValue(), words, end + 1, path + "." + wanted, segments, out, failure);
                            segments.removeLast();
                            break;
                        }
                    }
                }
                if (!matched) {
                    failure.at(at, "has no key " + String.join("_", words.subList(at, count)).toUpperCase(Locale.ROOT),
                            node, segments);
                }
            }
        }
    }

    private @Nullable String known(Segment segment) {
        Map<String, String> keys = this.knownKeys.get(segment.path);
        return keys == null ? null : keys.get(segment.uniform());
    }

    /** For each map key only environment variables spell: the spelling with the most words, dashed. */
    private static Map<String, String> envSpellings(Iterable<List<Segment>> parses) {
        Map<String, List<String>> longest = new HashMap<>();
        for (List<Segment> parse : parses) {
            for (Segment segment : parse) {
                if (segment.kind == SegmentKind.KEY) {
                    longest.merge(segment.path + "|" + segment.uniform(), segment.words,
                            (a, b) -> a.size() > b.size() || a.size() == b.size() && a.toString().compareTo(b.toString()) <= 0
                                    ? a : b);
                }
            }
        }
        Map<String, String> spellings = new HashMap<>();
        longest.forEach((key, words) -> spellings.put(key, String.join("-", words)));
        return spellings;
    }

    private String render(List<Segment> segments, Map<String, String> envSpellings) {
        StringBuilder name = new StringBuilder(TapsKeySchema.ROOT);
        for (Segment segment : segments) {
            switch (segment.kind) {
                case PROPERTY -> name.append('.').append(segment.words.get(0));
                case INDEX -> name.append('[').append(segment.words.get(0)).append(']');
                case KEY -> {
                    String spelled = known(segment);
                    if (spelled == null) {
                        spelled = envSpellings.getOrDefault(segment.path + "|" + segment.uniform(),
                                String.join("-", segment.words));
                    }
                    name.append(spelled.indexOf('.') >= 0 ? "[" + spelled + "]" : "." + spelled);
                }
                case OPEN -> {
                    String spelled = known(segment);
                    name.append('.').append(spelled != null ? spelled : String.join(".", segment.words));
                }
            }
        }
        return name.toString();
    }

    /** The result of {@link #translate}: names by variable, and problems by variable. */
    record Translation(Map<String, String> names, Map<String, String> problems) {
    }

    private enum SegmentKind {
        PROPERTY, KEY, OPEN, INDEX
    }

    /** Words of a variable matched to one node; {@code path} is the uniform path before it. */
    private record Segment(SegmentKind kind, List<String> words, String path) {
        String uniform() {
            return String.join("", this.words);
        }
    }

    /** The deepest point where no key matched, to say what was expected there. */
    private static final class Failure {
        private int at = -1;
        private String problem = "";
        private @Nullable Node group;
        private String prefix = "";

        void at(int at, String problem, @Nullable Node group, Deque<Segment> segments) {
            if (at > this.at) {
                this.at = at;
                this.problem = problem;
                this.group = group;
                StringBuilder prefix = new StringBuilder("TAPS");
                for (Segment segment : segments) {
                    prefix.append('_').append(String.join("_", segment.words).toUpperCase(Locale.ROOT)
                        .replace('-', '_'));
                }
                this.prefix = prefix.toString();
            }
        }

        String describe(List<String> words) {
            StringBuilder out = new StringBuilder("matches no taps.* key: ").append(this.prefix).append(' ')
                .append(this.problem);
            if (this.group != null && !this.group.children.isEmpty()) {
                String rest = this.at < words.size() ? String.join("", words.subList(this.at, words.size())) : "";
                String nearest = null;
                int distance = Integer.MAX_VALUE;
                for (String child : this.group.children.keySet()) {
                    String wanted = TapsKeySchema.uniform(child);
                    int d = TapsConfigurationKeys.distance(wanted, rest.substring(0, Math.min(rest.length(),
                            wanted.length() + 2)));
                    if (d < distance) {
                        distance = d;
                        nearest = child;
                    }
                }
                out.append("; keys there: ").append(String.join(", ", this.group.children.keySet()));
                if (nearest != null && distance <= Math.max(2, nearest.length() / 3)) {
                    out.append("; did you mean ").append(this.prefix).append('_')
                        .append(nearest.toUpperCase(Locale.ROOT).replace('-', '_')).append("...?");
                }
            }
            return out.toString();
        }
    }
}
