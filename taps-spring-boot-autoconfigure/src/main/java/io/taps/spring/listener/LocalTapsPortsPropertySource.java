package io.taps.spring.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * The {@code local.taps.<id>.port} properties of the started listeners, and
 * {@code local.taps.port} when the application has a single listener. Asking for
 * {@code local.taps.port} when it has several fails naming their ids, rather than with a bare
 * "could not resolve placeholder".
 */
final class LocalTapsPortsPropertySource extends EnumerablePropertySource<Map<String, Integer>> {
    static final String NAME = "local.taps.ports";

    private final Set<String> listenerIds = ConcurrentHashMap.newKeySet();

    LocalTapsPortsPropertySource() {
        super(NAME, new ConcurrentHashMap<>());
    }

    /** Records a bound port; {@code listenerIds} are every listener id of the application. */
    void put(String id, int port, Set<String> listenerIds) {
        this.listenerIds.addAll(listenerIds);
        this.listenerIds.add(id);
        this.source.put(key(id), port);
    }

    private static String key(String id) {
        return "local.taps." + id + ".port";
    }

    @Override
    public @Nullable Object getProperty(String name) {
        if (LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY.equals(name)) {
            return singlePort();
        }
        return this.source.get(name);
    }

    private @Nullable Integer singlePort() {
        if (this.listenerIds.size() > 1) {
            throw new IllegalStateException(LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY + " (@LocalTapsPort without an id) "
                    + "is ambiguous: the application has taps listeners " + new TreeSet<>(this.listenerIds)
                    + "; name one with @LocalTapsPort(\"<id>\") or local.taps.<id>.port");
        }
        return this.listenerIds.isEmpty() ? null : this.source.get(key(this.listenerIds.iterator().next()));
    }

    @Override
    public boolean containsProperty(String name) {
        if (LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY.equals(name)) {
            return this.listenerIds.size() == 1 && singlePort() != null;
        }
        return this.source.containsKey(name);
    }

    @Override
    public String[] getPropertyNames() {
        List<String> names = new ArrayList<>(this.source.keySet());
        if (this.listenerIds.size() == 1 && singlePort() != null) {
            names.add(LocalTapsPort.SINGLE_LISTENER_PORT_PROPERTY);
        }
        return names.toArray(String[]::new);
    }
}
