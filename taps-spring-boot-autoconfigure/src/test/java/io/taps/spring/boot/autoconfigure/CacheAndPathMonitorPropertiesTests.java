package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.monitor.InterfaceType;
import io.taps.Listener;
import io.taps.monitor.PathStatistics;
import io.taps.TransportServices;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code taps.cache.*} and {@code taps.path-monitor.*} reach the {@link TransportServices.Builder}
 * (RFC 9623 §9.2 performance cache, RFC 9622 §8.3.2 path monitor), shown by what the built system
 * does over real loopback connections; bad values fail start-up naming the key.
 */
class CacheAndPathMonitorPropertiesTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void aConnectionIsRememberedByDefaultButNotWithPerformanceSizeZero() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            connectOnce(taps);
            await().atMost(Duration.ofSeconds(10)).until(() -> !taps.cachedState().performance().isEmpty());
        });
        runner.withPropertyValues("taps.cache.performance-size=0").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            Connection client = connectOnce(taps);
            client.close();
            LoopbackEcho.await(client.closed());
            assertThat(taps.cachedState().performance()).isEmpty();
        });
    }

    @Test
    void aShortHalfLifeLetsTheSuccessCountFade() {
        runner.withPropertyValues("taps.cache.performance-half-life=10ms").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            connectOnce(taps);
            await().atMost(Duration.ofSeconds(10)).until(() -> !taps.cachedState().performance().isEmpty());
            // 20 half-lives or more: one success has decayed below one in a million.
            Thread.sleep(200);
            assertThat(taps.cachedState().performance()).allSatisfy(
                    (PathStatistics statistics) -> assertThat(statistics.successes()).isLessThan(0.001));
        });
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            connectOnce(taps);
            await().atMost(Duration.ofSeconds(10)).until(() -> !taps.cachedState().performance().isEmpty());
            Thread.sleep(200);
            assertThat(taps.cachedState().performance().get(0).successes()).isGreaterThan(0.99);
        });
    }

    @Test
    void pathMonitorIntervalZeroStartsNoMonitorThreadButPathsAreStillRead() {
        // Other systems in this JVM may run monitors; only threads that appear with the context count.
        Set<Thread> before = monitorThreads();
        runner.withPropertyValues("taps.path-monitor.interval=0").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            assertThat(newThreads(before)).isEmpty();
            assertThat(taps.paths()).anySatisfy(path -> {
                assertThat(path.name()).isEqualTo("lo");
                assertThat(path.type()).isEqualTo(InterfaceType.LOOPBACK);
                assertThat(path.up()).isTrue();
            });
        });
        Set<Thread> beforeMonitored = monitorThreads();
        runner.withPropertyValues("taps.path-monitor.interval=1s").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            assertThat(newThreads(beforeMonitored)).hasSize(1);
            assertThat(taps.paths()).anySatisfy(path -> assertThat(path.name()).isEqualTo("lo"));
        });
    }

    @Test
    void negativePerformanceSizeFailsStartUpNamingTheKey() {
        runner.withPropertyValues("taps.cache.performance-size=-1").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.cache.performance-size").contains("-1");
            assertThat(analysis.getAction()).contains("0");
        });
    }

    @Test
    void negativeOrZeroHalfLifeFailsStartUpNamingTheKey() {
        for (String value : List.of("-1s", "0")) {
            runner.withPropertyValues("taps.cache.performance-half-life=" + value).run(context -> {
                assertThat(context).hasFailed();
                assertThat(analysis(context.getStartupFailure()).getDescription())
                        .contains("taps.cache.performance-half-life");
            });
        }
    }

    @Test
    void negativePathMonitorIntervalFailsStartUpNamingTheKey() {
        runner.withPropertyValues("taps.path-monitor.interval=-5s").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.path-monitor.interval");
            assertThat(analysis.getAction()).contains("0 (monitor off)");
        });
    }

    private static Connection connectOnce(TransportServices taps) {
        Listener listener = LoopbackEcho.listen(taps, null);
        Connection client = LoopbackEcho.connect(taps, listener, null);
        LoopbackEcho.exchange(client, 4);
        return client;
    }

    private static Set<Thread> monitorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().equals("taps-path-monitor"))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> newThreads(Set<Thread> before) {
        Set<Thread> now = monitorThreads();
        now.removeAll(before);
        return now;
    }

    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new TapsConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }
}
