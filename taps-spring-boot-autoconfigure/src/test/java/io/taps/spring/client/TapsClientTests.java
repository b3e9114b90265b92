package io.taps.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.taps.Connection;
import io.taps.spring.client.ClientTestListeners.Confirmation;
import io.taps.spring.client.ClientTestListeners.Order;
import io.taps.spring.boot.autoconfigure.actuate.ConnectionDescriptor;
import io.taps.spring.boot.autoconfigure.actuate.TapsEndpoint;
import io.taps.spring.listener.TapsListenerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@link TapsClient}s from {@code taps.clients.*} against {@code @TapsListener}s of the same
 * application, over real loopback TCP with a length-prefix framer.
 */
@SpringBootTest(classes = ClientTestApplication.class, properties = { "taps.event-loop-threads=2",
        "taps.listener.execution=platform",
        "taps.profiles.framed.security.enabled=false",
        "taps.profiles.framed.selection.reliability=require",
        "taps.profiles.framed.framers=length-prefix",
        "taps.clients.echo.profile=framed",
        "taps.clients.echo.remote.host=127.0.0.1",
        "taps.clients.echo.remote.port=${local.taps.echo.port}",
        "taps.clients.echo.reconnect.initial-backoff=50ms",
        "taps.clients.echo.reconnect.max-backoff=200ms",
        "taps.clients.orders.profile=framed",
        "taps.clients.orders.remote.host=127.0.0.1",
        "taps.clients.orders.remote.port=${local.taps.orders.port}",
        "taps.clients.orders.content-type=application/json",
        "taps.clients.slow.profile=framed",
        "taps.clients.slow.remote.host=127.0.0.1",
        "taps.clients.slow.remote.port=${local.taps.slow.port}",
        "taps.clients.stuck.profile=framed",
        "taps.clients.stuck.remote.host=127.0.0.1",
        "taps.clients.stuck.remote.port=${local.taps.slow.port}",
        "taps.clients.stuck.request-timeout=300ms",
        "taps.clients.stuck.reconnect.initial-backoff=20ms",
        "management.endpoints.web.exposure.include=taps" })
class TapsClientTests {
    private static final long WAIT_SECONDS = 10;

    @Autowired
    @Qualifier("echo")
    TapsClient echo;

    @Autowired
    @Qualifier("orders")
    TapsClient orders;

    @Autowired
    @Qualifier("slow")
    TapsClient slow;

    @Autowired
    @Qualifier("stuck")
    TapsClient stuck;

    @Autowired
    TapsClients clients;

    @Autowired
    TapsListenerRegistry listeners;

    @Autowired
    ClientTestListeners handlers;

    @Autowired
    MeterRegistry meters;

    @Autowired
    TestObservationRegistry observations;

    @Autowired
    TapsEndpoint endpoint;

    @Test
    void qualifiedInjectionGivesEachNamedClient() {
        assertThat(this.echo.name()).isEqualTo("echo");
        assertThat(this.orders.name()).isEqualTo("orders");
        assertThat(this.echo.profile()).isEqualTo("framed");
        assertThat(this.clients.names()).containsExactly("echo", "orders", "slow", "stuck");
        assertThat(this.clients.get("orders")).isSameAs(this.orders);
        assertThatThrownBy(() -> this.clients.get("nope")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("[echo, orders, slow, stuck]");
    }

    @Test
    void requestsAStringReply() throws Exception {
        String reply = this.echo.request("hello", String.class).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(reply).isEqualTo("echo: hello");
    }

    @Test
    void requestsARecordAsJsonAndReadsTheReplyAsARecord() throws Exception {
        Confirmation confirmation = this.orders.request(new Order("o-17", 21), Confirmation.class)
            .toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(confirmation).isEqualTo(new Confirmation("o-17", 42, "confirmed"));
    }

    @Test
    void sendCompletesWhenTheMessageWasSent() throws Exception {
        assertThat(this.echo.send("one-way 1").toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
        assertThat(this.echo.request("after send", String.class).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS))
            .isEqualTo("echo: after send");
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnReplyOnOneConnection() throws Exception {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<String>> shared = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread sender = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    // A generous timeout: the 400 round trips share two cores with the rest of the build.
                    shared.add(this.echo.request("t" + thread + "-" + i, String.class, Duration.ofSeconds(60))
                        .toCompletableFuture()
                        .thenApply(reply -> reply + " <- t" + thread + "-"));
                }
            });
            sender.start();
            threads.add(sender);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        replies.addAll(shared);
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(replies).hasSize(400);
        for (CompletableFuture<String> reply : replies) {
            String text = reply.join();
            // "echo: t1-7 <- t1-": the reply names the request it answers.
            String request = text.substring("echo: ".length(), text.indexOf(" <- "));
            assertThat(text).endsWith(" <- " + request.substring(0, request.indexOf('-') + 1));
        }
        assertThat(this.clients.connections("echo")).hasSize(1);
    }

    @Test
    void aTimedOutRequestFailsTypedAndItsLateReplyIsNotTakenByTheNextRequest() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        this.handlers.slowGate = gate;
        CompletableFuture<String> timedOut = this.slow.request("wait-1", String.class, Duration.ofMillis(200))
            .toCompletableFuture();
        assertThatThrownBy(() -> timedOut.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOfSatisfying(TapsRequestTimeoutException.class, ex -> {
                assertThat(ex.wasSent()).isTrue();
                assertThat(ex.getTimeout()).isEqualTo(Duration.ofMillis(200));
                assertThat(ex.getClientName()).isEqualTo("slow");
            });
        Connection before = this.clients.connections("slow").get(0);
        CompletableFuture<String> next = this.slow.request("next", String.class).toCompletableFuture();
        gate.countDown();
        assertThat(next.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("slow: next");
        assertThat(this.clients.connections("slow")).containsExactly(before);
    }

    /**
     * A reply that never comes would shift every later reply onto the wrong request: after the
     * grace period the client aborts that Connection, and the next request gets its own reply on a
     * new one.
     */
    @Test
    void aReplyThatNeverComesCostsTheConnectionNotTheOrderOfReplies() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        this.handlers.slowGate = gate;
        try {
            CompletableFuture<String> stuck = this.stuck.request("wait-forever", String.class).toCompletableFuture();
            assertThatThrownBy(() -> stuck.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(TapsRequestTimeoutException.class);
            Connection first = this.clients.connections("stuck").get(0);
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .until(() -> first.closed().toCompletableFuture().isDone());
            assertThat(this.stuck.request("after", String.class, Duration.ofSeconds(WAIT_SECONDS)).toCompletableFuture()
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("slow: after");
            assertThat(this.clients.connections("stuck")).hasSize(1).doesNotContain(first);
        }
        finally {
            gate.countDown();
        }
    }

    @Test
    void reconnectsAfterTheListenerRestartsAndARequestMadeMeanwhileWaitsForIt() throws Exception {
        assertThat(this.echo.request("before", String.class).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS))
            .isEqualTo("echo: before");
        Connection first = this.clients.connections("echo").get(0);
        this.listeners.stop("echo").toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> first.closed().toCompletableFuture().isDone());
        CompletableFuture<String> during = this.echo.request("during", String.class, Duration.ofSeconds(WAIT_SECONDS))
            .toCompletableFuture();
        this.listeners.start("echo");
        assertThat(during.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("echo: during");
        assertThat(this.clients.connections("echo")).hasSize(1).doesNotContain(first);
    }

    @Test
    void clientConnectionsAreCountedWithTheirProfileAndClient() throws Exception {
        this.orders.request(new Order("m-1", 1), Confirmation.class).toCompletableFuture().get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() -> assertThat(this.meters
            .find("taps.connections").tag("taps.role", "initiate").tag("taps.client", "orders").counters())
            .singleElement()
            .satisfies(counter -> {
                assertThat(counter.getId().getTag("taps.profile")).isEqualTo("framed");
                assertThat(counter.count()).isGreaterThanOrEqualTo(1);
            }));
        assertThat(this.meters.find("taps.connections").tag("taps.role", "listen").tag("taps.client", "none").counters())
            .isNotEmpty();
    }

    @Test
    void clientEstablishmentsAreObservedWithTheirClientAndProfile() throws Exception {
        this.orders.request(new Order("obs-1", 1), Confirmation.class).toCompletableFuture().get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() -> TestObservationRegistryAssert
            .assertThat(this.observations)
            .hasAnObservation(observation -> observation.hasNameEqualTo("taps.connection.establish")
                .hasLowCardinalityKeyValue("taps.client", "orders")
                .hasLowCardinalityKeyValue("taps.profile", "framed")
                .hasLowCardinalityKeyValue("taps.outcome", "success")));
    }

    @Test
    void theActuatorNamesTheClientAndProfileOfClientConnections() throws Exception {
        this.orders.request(new Order("act-1", 1), Confirmation.class).toCompletableFuture().get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        List<ConnectionDescriptor> connections = this.endpoint.taps().connections();
        assertThat(connections).filteredOn(connection -> "orders".equals(connection.client()))
            .singleElement()
            .satisfies(connection -> {
                assertThat(connection.role()).isEqualTo("initiate");
                assertThat(connection.profile()).isEqualTo("framed");
            });
        assertThat(connections).filteredOn(connection -> "listen".equals(connection.role()))
            .isNotEmpty()
            .allSatisfy(connection -> assertThat(connection.client()).isNull());
    }
}
