package io.taps.spring.boot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanUtils;
import org.springframework.core.ResolvableType;

/**
 * The tree of every {@code taps.*} key, read from {@link TapsProperties} by reflection (so a
 * property added there is known at once) plus the switches other auto-configurations read
 * ({@code taps.metrics.enabled}, {@code taps.observations.enabled}). Nodes are groups of named
 * keys, maps with free keys and a value tree ({@code taps.profiles.<name>}), open maps that take
 * any key below them ({@code taps.profiles.<name>.selection.*}, checked later against RFC 9622's
 * names), lists and values. Names compare in Boot's uniform form: lower case, letters and digits
 * only, so {@code eventLoopThreads}, {@code event-loop-threads} and {@code EVENT_LOOP_THREADS}
 * name the same key.
 */
final class TapsKeySchema {
    /** The key every taps property starts with. */
    static final String ROOT = "taps";

    private static final Node ROOT_NODE = build();

    private TapsKeySchema() {
    }

    /** The node of {@code taps} itself. */
    static Node root() {
        return ROOT_NODE;
    }

    private static Node build() {
        Node root = of(ResolvableType.forClass(TapsProperties.class));
        Node enabled = Node.value();
        root.children.put("metrics", Node.group(Map.of("enabled", enabled)));
        root.children.put("observations", Node.group(Map.of("enabled", enabled)));
        return root;
    }

    /** Lower case with every character that is not a letter or digit removed, as Boot compares names. */
    static String uniform(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString();
    }

    private static Node of(ResolvableType type) {
        Class<?> raw = type.resolve(Object.class);
        if (Map.class.isAssignableFrom(raw)) {
            ResolvableType valueType = type.asMap().getGeneric(1);
            Class<?> value = valueType.resolve(Object.class);
            return isValue(value) ? Node.openMap() : Node.map(of(valueType));
        }
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            return Node.list();
        }
        if (isValue(raw)) {
            return Node.value();
        }
        Map<String, Node> children = new LinkedHashMap<>();
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(raw)) {
            Method getter = descriptor.getReadMethod();
            if (getter == null || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            children.put(kebab(descriptor.getName()), of(ResolvableType.forMethodReturnType(getter, raw)));
        }
        return Node.group(children);
    }

    private static boolean isValue(Class<?> type) {
        String name = type.getName();
        return type.isPrimitive() || type.isEnum() || name.startsWith("java.")
                || name.startsWith("org.springframework.");
    }

    private static String kebab(String camel) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            }
            else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** What a node holds. */
    enum Kind {
        /** Named keys, such as {@code taps.racing}. */
        GROUP,
        /** Free keys whose values are a tree, such as {@code taps.profiles}. */
        MAP,
        /** Free keys of any depth with plain values, such as {@code taps.profiles.<name>.selection}. */
        OPEN_MAP,
        /** A list: the key itself (comma-separated) or indexed elements. */
        LIST,
        /** One value. */
        VALUE
    }

    /** One node of the key tree. */
    static final class Node {
        final Kind kind;
        /** The children of a group by kebab-case name. */
        final Map<String, Node> children;
        /** The value tree of a map. */
        final @Nullable Node value;

        private Node(Kind kind, Map<String, Node> children, @Nullable Node value) {
            this.kind = kind;
            this.children = children;
            this.value = value;
        }

        static Node group(Map<String, Node> children) {
            return new Node(Kind.GROUP, new LinkedHashMap<>(children), null);
        }

        static Node map(Node value) {
            return new Node(Kind.MAP, Collections.emptyMap(), value);
        }

        static Node openMap() {
            return new Node(Kind.OPEN_MAP, Collections.emptyMap(), null);
        }

        static Node list() {
            return new Node(Kind.LIST, Collections.emptyMap(), null);
        }

        static Node value() {
            return new Node(Kind.VALUE, Collections.emptyMap(), null);
        }

        /** The child named {@code name} in any relaxed spelling, with its kebab name. */
        Map.@Nullable Entry<String, Node> child(String name) {
            String wanted = uniform(name);
            for (Map.Entry<String, Node> child : this.children.entrySet()) {
                if (uniform(child.getKey()).equals(wanted)) {
                    return child;
                }
            }
            return null;
        }
    }
}
