package io.taps.spring.boot.autoconfigure.actuate;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Stable ids for live objects that have none of their own (core Connections and unnamed
 * Listeners): {@code prefix-1}, {@code prefix-2}, ... by first sight. Entries go with the object
 * (weak keys on identity: core Connections do not override equals).
 *
 * @param <T> the kind of object named
 */
public final class ObjectIds<T> {
    private final String prefix;
    private final AtomicLong next = new AtomicLong();
    private final Map<T, String> ids = Collections.synchronizedMap(new WeakHashMap<>());

    public ObjectIds(String prefix) {
        this.prefix = prefix;
    }

    /** The id of {@code object}, assigned now if it has none yet. */
    public String idOf(T object) {
        return ids.computeIfAbsent(object, ignored -> prefix + "-" + next.incrementAndGet());
    }

    /** Orders ids by their number, so {@code c-10} follows {@code c-9}. */
    static <E> Comparator<E> byNumber(Function<E, String> id) {
        return Comparator.comparing((E e) -> id.apply(e).length()).thenComparing(id);
    }
}
