package io.taps.internal.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.blocking.BlockingWork;
import io.taps.testing.DnsFixture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An EndpointResolver builds Netty's DNS resolvers on the first question that needs DNS, off the
 * event loop, once, and releases only what it built (issue 21: a system that listens on or
 * connects to address literals pays nothing for DNS).
 */
class DnsOnDemandTest {
    private static EventLoopGroup group;
    private DnsFixture dns;
    private final List<EndpointResolver> resolvers = new ArrayList<>();
    /** Builds run here, recorded by thread name. */
    private final ExecutorService setup = Executors.newCachedThreadPool(r -> new Thread(r, "dns-setup"));
    private final AtomicInteger setupTasks = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> setupThreads = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startDns() {
        dns = DnsFixture.start();
        BlockingWork.clearViolations();
    }

    @AfterEach
    void stopAll() {
        resolvers.forEach(EndpointResolver::close);
        dns.close();
        setup.shutdownNow();
    }

    private EndpointResolver resolver(java.util.concurrent.Executor executor) {
        EndpointResolver r = new EndpointResolver(group.next(), NioDatagramChannel::new, null, dns.forFixture(),
                task -> {
                    setupTasks.incrementAndGet();
                    executor.execute(() -> {
                        setupThreads.add(Thread.currentThread().getName());
                        task.run();
                    });
                });
        resolvers.add(r);
        return r;
    }

    private EndpointResolver resolver() {
        return resolver(setup);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static TransportServicesException failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportServicesException.class);
            return (TransportServicesException) e.getCause();
        }
        throw new AssertionError("stage completed normally");
    }

    @Test
    void literalsLocalhostAndLocalsBuildNoDnsResolver() throws Exception {
        EndpointResolver r = resolver();
        assertThat(await(r.resolve(RemoteEndpoint.ofAddress("127.0.0.1", 80)))).hasSize(1);
        assertThat(await(r.resolve(RemoteEndpoint.ofHost("localhost", 80)))).isNotEmpty();
        assertThat(await(r.resolve(LocalEndpoint.ofAddress("127.0.0.1", 0)))).hasSize(1);
        assertThat(await(r.resolve(LocalEndpoint.any()))).hasSize(1);
        assertThat(r.fixedAnswer(RemoteEndpoint.ofAddress("::1", 80))).isNotNull();
        assertThat(await(r.serviceBinding(RemoteEndpoint.ofAddress("127.0.0.1", 443), true)).usable()).isEmpty();
        assertThat(r.cachedAnswers()).isZero();
        r.clearCache();

        assertThat(r.dnsBuilds()).isZero();
        assertThat(setupTasks).hasValue(0);
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void closingANeverUsedResolverBuildsAndReleasesNothing() throws Exception {
        EndpointResolver r = resolver();
        r.close();
        assertThat(failure(r.resolve(RemoteEndpoint.ofHost("x.taps.test", 1))).reason())
                .isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(r.dnsBuilds()).isZero();
        assertThat(setupTasks).hasValue(0);
    }

    @Test
    void concurrentFirstQuestionsBuildTheResolversOnce() throws Exception {
        dns.a("first.taps.test", "127.0.0.7");
        EndpointResolver r = resolver();
        int threads = 8;
        ExecutorService askers = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<List<InetSocketAddress>>> answers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int port = 1000 + i;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return r.resolve(RemoteEndpoint.ofHost("first.taps.test", port));
                }, askers).thenCompose(stage -> stage));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                assertThat(await(answers.get(i))).containsExactly(
                        new InetSocketAddress(java.net.InetAddress.getByName("127.0.0.7"), 1000 + i));
            }
        } finally {
            askers.shutdownNow();
        }
        assertThat(r.dnsBuilds()).isEqualTo(1);
        assertThat(r.dnsResolversMade()).isEqualTo(1);
        assertThat(setupTasks).hasValue(1);
        // The answer was cached by the one pair of resolvers: later questions ask no more.
        int asked = dns.queryCount("first.taps.test", DnsRecordType.A);
        await(r.resolve(RemoteEndpoint.ofHost("first.taps.test", 1)));
        assertThat(dns.queryCount("first.taps.test", DnsRecordType.A)).isEqualTo(asked);
        assertThat(r.cachedAnswers()).isPositive();
    }

    @Test
    void aFirstQuestionFromTheEventLoopBuildsOffTheLoop() throws Exception {
        dns.a("loop.taps.test", "127.0.0.1");
        EndpointResolver r = resolver();
        EventLoop loop = group.next();
        CompletionStage<List<InetSocketAddress>> stage =
                loop.submit(() -> r.resolve(RemoteEndpoint.ofHost("loop.taps.test", 5))).get(5, TimeUnit.SECONDS);
        assertThat(await(stage)).hasSize(1);
        assertThat(setupThreads).containsExactly("dns-setup");
        assertThat(BlockingWork.violations()).noneMatch(violation -> violation.contains("DNS resolvers"));
    }

    @Test
    void serviceBindingAsksThroughTheResolversBuiltOnDemand() throws Exception {
        dns.a("svc.taps.test", "127.0.0.1")
                .https("svc.taps.test", "1 . alpn=h3");
        EndpointResolver r = resolver();
        ServiceLookup lookup = await(r.serviceBinding(RemoteEndpoint.ofHost("svc.taps.test", 443), true));
        assertThat(lookup.answers()).isEqualTo(1);
        assertThat(r.dnsBuilds()).isEqualTo(1);
    }

    @Test
    void closedWhileTheBuildWaitsNothingIsBuiltAndTheQuestionFails() throws Exception {
        List<Runnable> held = new ArrayList<>();
        EndpointResolver r = resolver(held::add);
        CompletionStage<List<InetSocketAddress>> pending = r.resolve(RemoteEndpoint.ofHost("late.taps.test", 1));
        assertThat(held).hasSize(1);
        r.close();
        assertThat(failure(pending).reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        held.get(0).run(); // the queued build runs after close: it finds the resolver closed
        assertThat(dns.totalQueryCount()).isZero();
        assertThat(r.dnsBuilds()).isEqualTo(1);
        assertThat(r.dnsResolversMade()).isZero();
    }
}
