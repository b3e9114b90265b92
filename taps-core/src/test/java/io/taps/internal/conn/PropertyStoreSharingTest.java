package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A Listener's accepted Connections share one property store until one of them sets a value
 * (copy on write, issue 21 figure 12: 32 B of every accepted Connection): what one Connection sets
 * never shows on its siblings, and the shared store is never written.
 */
class PropertyStoreSharingTest extends OneLoopTapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aPropertySetOnOneAcceptedConnectionDoesNotShowOnItsSiblings() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled()).build()
                .listen(accepted::add);
        Await.result(listener.ready());
        List<Socket> clients = new ArrayList<>();
        try (listener) {
            for (int i = 0; i < 3; i++) {
                clients.add(new Socket("127.0.0.1", listener.port()));
            }
            await().atMost(WAIT).until(() -> accepted.size() == 3);
            TapsConnection first = (TapsConnection) accepted.get(0);
            TapsConnection second = (TapsConnection) accepted.get(1);
            TapsConnection third = (TapsConnection) accepted.get(2);
            PropertyStore shared = second.store;
            assertThat(shared.shared).as("accepted Connections start on a shared store").isTrue();
            assertThat(first.store).isSameAs(shared);
            assertThat(third.store).isSameAs(shared);

            first.setProperty(Property.CONN_PRIORITY, 7);
            first.setProperty(Property.MSG_PRIORITY, 3);
            await().atMost(WAIT).until(() -> first.getProperties().get(Property.CONN_PRIORITY) == 7);
            assertThat(first.store).as("the first write made the Connection a store of its own").isNotSameAs(shared);
            assertThat(first.store.shared).isFalse();
            assertThat(first.store.messageDefaults().get(Property.MSG_PRIORITY)).isEqualTo(3);

            for (TapsConnection sibling : List.of(second, third)) {
                assertThat(sibling.getProperties().get(Property.CONN_PRIORITY)).as("a sibling's value").isEqualTo(100);
                assertThat(sibling.store.messageDefaults().get(Property.MSG_PRIORITY)).isEqualTo(100);
                assertThat(sibling.store).as("siblings keep sharing").isSameAs(shared);
            }
            assertThat(shared.get(Property.CONN_PRIORITY)).isEqualTo(100);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /**
     * Connections of two Listeners made in turn keep sharing their own Listener's store: with one
     * slot for all, each made a new store and an accepted Connection kept one of its own (seen as a
     * flaky AcceptedConnectionFootprintTest when another test's Connections interleaved).
     */
    @Test
    void connectionsOfTwoListenersMadeInTurnEachShareTheirListenersStore() {
        TransportProperties first = TransportProperties.reliableInorderStream();
        TransportProperties second = TransportProperties.reliableInorderStream();
        while (PropertyStore.slot(second, Role.LISTEN) == PropertyStore.slot(first, Role.LISTEN)) {
            second = TransportProperties.reliableInorderStream(); // a colliding slot only loses sharing
        }
        PropertyStore ofFirst = PropertyStore.sharedFor(first, Role.LISTEN);
        PropertyStore ofSecond = PropertyStore.sharedFor(second, Role.LISTEN);
        assertThat(PropertyStore.sharedFor(first, Role.LISTEN)).isSameAs(ofFirst);
        assertThat(PropertyStore.sharedFor(second, Role.LISTEN)).isSameAs(ofSecond);
        assertThat(PropertyStore.sharedFor(first, Role.INITIATE)).as("another role, another store").isNotSameAs(ofFirst);
    }

    @Test
    void aSharedStoreRefusesEveryWrite() {
        PropertyStore shared = PropertyStore.sharedFor(TransportProperties.reliableInorderStream(), Role.LISTEN);
        assertThat(shared.shared).isTrue();
        assertThatThrownBy(() -> shared.put(Property.CONN_PRIORITY, 5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> shared.admit(Property.MSG_PRIORITY, 5, null, null))
                .isInstanceOf(IllegalStateException.class);
        assertThat(shared.get(Property.CONN_PRIORITY)).isEqualTo(100);
    }

    /**
     * Connections of the same properties made at the same time on several event loops (a Listener's
     * first accepted ones) share one store: each kept one of its own when both saw an empty slot, so
     * AcceptedConnectionFootprintTest now and then read a store and its map more.
     */
    @Test
    void connectionsMadeAtOnceOnSeveralThreadsShareOneStore() throws Exception {
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 500; round++) {
                TransportProperties properties = TransportProperties.reliableInorderStream();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                List<java.util.concurrent.Future<PropertyStore>> made = new ArrayList<>();
                for (int thread = 0; thread < threads; thread++) {
                    made.add(pool.submit(() -> {
                        start.await();
                        return PropertyStore.sharedFor(properties, Role.LISTEN);
                    }));
                }
                java.util.Set<PropertyStore> stores = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                for (java.util.concurrent.Future<PropertyStore> store : made) {
                    stores.add(store.get(30, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertThat(stores).as("stores of one round").hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
