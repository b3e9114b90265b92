package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a new link is given at adoption ({@link PropertyStore#applyAll}) is worked out once per map of
 * values, not walked per Connection: a Listener's accepted Connections share one store, and walking
 * its ~23 entries cost every accept an entry view per entry, an iterator and two Optionals (issue 21
 * figure 12). The plan holds only the values that differ from a new socket's default, with their
 * namespace, and follows the values when they change.
 */
class PropertyStoreApplyPlanTest {

    @Test
    void aSharedStoreWorksOutItsPlanOnceWithOnlyTheValuesThatDifferFromTheDefaults() {
        TransportProperties properties = TransportProperties.reliableInorderStream().toBuilder()
                .set(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(30)))
                .set(Property.TCP_USER_TIMEOUT_VALUE, Timeout.of(Duration.ofSeconds(20)))
                .build();
        PropertyStore store = PropertyStore.sharedFor(properties, Role.LISTEN);

        Object[] plan = store.toApply();

        assertThat(store.toApply()).as("the next Connection sharing the store").isSameAs(plan);
        assertThat(triples(plan)).containsExactlyInAnyOrder(
                List.of(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(30)), "-"),
                List.of(Property.TCP_USER_TIMEOUT_VALUE, Timeout.of(Duration.ofSeconds(20)), "tcp"));
    }

    @Test
    void aStoreWhoseValuesChangedWorksOutANewPlan() {
        TransportProperties properties = TransportProperties.reliableInorderStream();
        EmbeddedChannel channel = new EmbeddedChannel();
        TapsConnection connection = new TapsConnection(channel.eventLoop(), Runnable::run, properties, Role.INITIATE, null);
        PropertyStore store = connection.store;
        assertThat(store.shared).isTrue();
        PropertyStore own = PropertyStore.ownOf(connection);
        Object[] before = own.toApply();
        assertThat(triples(before)).noneMatch(triple -> triple.get(0) == Property.CONN_PRIORITY);

        own.put(Property.CONN_PRIORITY, 7);

        assertThat(own.toApply()).isNotSameAs(before);
        assertThat(triples(own.toApply())).contains(List.of(Property.CONN_PRIORITY, 7, "-"));
        assertThat(triples(store.toApply())).as("the shared store's plan").isEqualTo(triples(before));
        channel.finishAndReleaseAll();
    }

    private static List<List<Object>> triples(Object[] plan) {
        assertThat(plan.length % 3).isZero();
        List<List<Object>> triples = new ArrayList<>();
        for (int i = 0; i < plan.length; i += 3) {
            triples.add(List.of(plan[i], plan[i + 1], plan[i + 2] == null ? "-" : plan[i + 2]));
        }
        return triples;
    }
}
