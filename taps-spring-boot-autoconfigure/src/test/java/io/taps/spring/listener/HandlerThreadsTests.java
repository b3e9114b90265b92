package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConfigurationException;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Which threads {@link TapsListener} handlers run on: {@code spring.threads.virtual.enabled} decides
 * unless {@code taps.listener.execution} says otherwise, platform threads come from the bounded
 * {@code taps.listener.pool}, and both kinds are named. Each handler reports its own thread back
 * over a real connection from a plain-socket client. Run on JDK 17 and JDK 25.
 */
class HandlerThreadsTests {
    private static final String PLATFORM_NAME = "taps-handler-\\d+";
    private static final String VIRTUAL_NAME = "taps-handler-v\\d+";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix");

    @Test
    void byDefaultHandlersRunOnTheNamedBoundedPlatformPool() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class).run(context -> {
            assertThat(handlerThread(context)).matches(PLATFORM_NAME + " virtual=false");
            assertThat(context.getBean(TapsListenerAutoConfiguration.EXECUTOR_BEAN_NAME))
                .isInstanceOfSatisfying(BoundedHandlerPool.class, pool -> {
                    assertThat(pool.maxSize()).isEqualTo(200);
                    assertThat(pool.queueCapacity()).isEqualTo(1000);
                });
        });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsEnabledInBootMeansNamedVirtualHandlerThreads() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("spring.threads.virtual.enabled=true")
            .run(context -> assertThat(handlerThread(context)).matches(VIRTUAL_NAME + " virtual=true"));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsDisabledInBootMeansPlatformThreadsOnJdk21AndLater() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("spring.threads.virtual.enabled=false")
            .run(context -> assertThat(handlerThread(context)).matches(PLATFORM_NAME + " virtual=false"));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsEnabledInBootFallBackToThePlatformPoolBeforeJdk21() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("spring.threads.virtual.enabled=true")
            .run(context -> assertThat(handlerThread(context)).matches(PLATFORM_NAME + " virtual=false"));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void explicitPlatformExecutionOverridesBootsVirtualThreads() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("spring.threads.virtual.enabled=true", "taps.listener.execution=platform")
            .run(context -> assertThat(handlerThread(context)).matches(PLATFORM_NAME + " virtual=false"));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void explicitVirtualExecutionNeedsNoBootSwitch() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("taps.listener.execution=virtual")
            .run(context -> assertThat(handlerThread(context)).matches(VIRTUAL_NAME + " virtual=true"));
    }

    @Test
    void poolSettingsOutOfRangeFailStartUpNamingTheKey() {
        this.contextRunner.withUserConfiguration(ThreadReporter.class)
            .withPropertyValues("taps.listener.pool.max-size=0")
            .run(context -> {
                assertThat(context).hasFailed();
                Throwable failure = context.getStartupFailure();
                while (failure != null && !(failure instanceof TapsConfigurationException)) {
                    failure = failure.getCause();
                }
                assertThat(failure).isInstanceOfSatisfying(TapsConfigurationException.class, ex -> {
                    assertThat(ex.key()).isEqualTo("taps.listener.pool");
                    assertThat(ex.problem()).contains("max-size must be at least 1");
                });
            });
    }

    /**
     * More Connections pipeline more Messages than the pool has threads and queue slots: the
     * surplus waits at its Connection (parked, the Connection not reading) instead of being
     * dropped or getting a thread of its own, and every Message is answered, in order, once the
     * handlers are let go.
     */
    @Test
    void aFullPoolHoldsBackConnectionsWithoutLosingMessagesOrGrowing() {
        int connections = 6;
        int messagesEach = 40;
        this.contextRunner.withUserConfiguration(GatedEcho.class)
            .withPropertyValues("taps.listener.pool.max-size=2", "taps.listener.pool.queue-capacity=2",
                    "taps.listener.pool.keep-alive=30s")
            .run(context -> {
                GatedEcho echo = context.getBean(GatedEcho.class);
                BoundedHandlerPool pool = context.getBean(TapsListenerAutoConfiguration.EXECUTOR_BEAN_NAME,
                        BoundedHandlerPool.class);
                int port = context.getBean(TapsListenerRegistry.class).listener("gated").orElseThrow().port();
                List<PlainFramedClient> clients = new ArrayList<>();
                ExecutorService readers = Executors.newFixedThreadPool(connections);
                try {
                    List<Future<List<String>>> replies = new ArrayList<>();
                    for (int c = 0; c < connections; c++) {
                        PlainFramedClient client = new PlainFramedClient(port);
                        clients.add(client);
                        for (int i = 0; i < messagesEach; i++) {
                            client.send(payload(c, i));
                        }
                        replies.add(readers.submit(() -> {
                            List<String> received = new ArrayList<>();
                            for (int i = 0; i < messagesEach; i++) {
                                received.add(client.receive());
                            }
                            return received;
                        }));
                    }
                    // 6 Connections with work, 2 threads and 2 queue slots: some must wait.
                    await().atMost(Duration.ofSeconds(20)).until(() -> pool.parked() > 0);
                    assertThat(echo.running.get()).isLessThanOrEqualTo(2);
                    echo.gate.countDown();
                    for (int c = 0; c < connections; c++) {
                        List<String> expected = new ArrayList<>();
                        for (int i = 0; i < messagesEach; i++) {
                            expected.add("echo " + payload(c, i));
                        }
                        assertThat(replies.get(c).get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
                    }
                }
                finally {
                    echo.gate.countDown();
                    for (PlainFramedClient client : clients) {
                        client.close();
                    }
                    readers.shutdownNow();
                }
                assertThat(echo.handled.get()).isEqualTo(connections * messagesEach);
                assertThat(echo.maxRunning.get()).isBetween(1, 2);
                assertThat(pool.largestPoolSize()).isLessThanOrEqualTo(2);
                assertThat(pool.parkedTotal()).isPositive();
                assertThat(pool.parked()).isZero();
                assertThat(echo.threads).allSatisfy(name -> assertThat(name).matches(PLATFORM_NAME)).hasSizeBetween(1, 2);
            });
    }

    private static String payload(int connection, int index) {
        // Distinct, position-bearing content: a lost, duplicated or reordered Message shows.
        return "c" + connection + "-m" + index + "-" + Integer.toHexString((connection * 7919 + index) * 104729);
    }

    private static String handlerThread(AssertableApplicationContext context) throws Exception {
        assertThat(context).hasNotFailed();
        int port = context.getBean(TapsListenerRegistry.class).listener("threads").orElseThrow().port();
        try (PlainFramedClient client = new PlainFramedClient(port)) {
            return client.exchange("who");
        }
    }

    static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        }
        catch (ReflectiveOperationException ex) {
            return false;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ThreadReporter {
        @TapsListener(id = "threads", profile = "framed", host = "127.0.0.1", port = "0")
        Message who(Message message) {
            Thread thread = Thread.currentThread();
            return Message.of(thread.getName() + " virtual=" + isVirtual(thread));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class GatedEcho {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger handled = new AtomicInteger();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @TapsListener(id = "gated", profile = "framed", host = "127.0.0.1", port = "0")
        Message echo(Message message) throws InterruptedException {
            int now = this.running.incrementAndGet();
            this.maxRunning.accumulateAndGet(now, Math::max);
            this.threads.add(Thread.currentThread().getName());
            try {
                this.gate.await();
                this.handled.incrementAndGet();
                return Message.of("echo " + message.asString());
            }
            finally {
                this.running.decrementAndGet();
            }
        }
    }
}
