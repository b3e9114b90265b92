package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TestCertificates;
import io.taps.spring.boot.autoconfigure.metrics.TapsMetricsAutoConfiguration;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The Listener events that happen before any Connection exists (a refused TLS handshake, a UDP
 * Listener's remote cap, AcceptFailed) reach Spring users as {@code taps.listener.*} counters
 * tagged with the listener id and the RFC 9622 error reason, through {@link TapsListenerObserver}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerEventMetersTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class, SslAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class, TapsMetricsAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1")
        .withUserConfiguration(Meters.class);

    @Test
    void handshakeWithoutClientCertificateCountsAsRejectedWithItsReason(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(SecureEcho.class)
            .withPropertyValues(TestCertificates.serverBundle("server"))
            .withPropertyValues("taps.profiles.secure.security.ssl-bundle=server",
                    "taps.profiles.secure.security.client-auth=need", "taps.profiles.secure.framers=length-prefix")
            .run(context -> {
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                int port = context.getBean(TapsListenerRegistry.class).listener("secure").orElseThrow().port();
                assertThat(rejected(meters)).isZero();
                handshakeWithoutCertificate(port);
                await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meters) == 1.0);
                handshakeWithoutCertificate(port);
                await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meters) == 2.0);
                assertThat(Search.in(meters).name("taps.listener.rejected").counter().getId().getTags())
                    .extracting(tag -> tag.getKey() + "=" + tag.getValue())
                    .containsExactlyInAnyOrder("taps.listener.id=secure", "taps.profile=secure",
                        "taps.error.reason=SecurityFailed");
                // A flood of refused clients logs one INFO line per reason, not one per client.
                assertThat(output.getAll().split("further rejections with reason SecurityFailed are logged at DEBUG",
                        -1)).hasSize(2);
            });
    }

    @Test
    void udpListenerAtItsRemoteCapCountsLimitReachedOncePerSocket(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(DatagramSink.class)
            .withPropertyValues("taps.profiles.datagrams.security.enabled=false",
                    "taps.profiles.datagrams.base=unreliable-datagram",
                    "taps.profiles.datagrams.connection.taps.max-concurrent-connections=1")
            .run(context -> {
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                RunningTapsListener listener = context.getBean(TapsListenerRegistry.class).listener("datagrams")
                    .orElseThrow();
                assertThat(listener.protocolStack()).isEqualTo("UDP");
                BlockingQueue<String> received = context.getBean(DatagramSink.class).received;
                InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port());
                try (DatagramSocket first = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                        DatagramSocket second = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                        DatagramSocket third = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    send(first, target, "first-1");
                    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("first-1");
                    assertThat(limitReached(meters)).isZero();
                    send(second, target, "second-1");
                    await().atMost(Duration.ofSeconds(10)).until(() -> limitReached(meters) == 1.0);
                    send(second, target, "second-2");
                    send(third, target, "third-1");
                    // One socket reads in order: once first-2 is handled, the datagrams sent before it were dropped.
                    send(first, target, "first-2");
                    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("first-2");
                    assertThat(received).isEmpty();
                    assertThat(limitReached(meters)).isEqualTo(1.0);
                    assertThat(Search.in(meters).name("taps.listener.limit.reached").counter().getId().getTags())
                        .extracting(tag -> tag.getKey() + "=" + tag.getValue())
                        .containsExactlyInAnyOrder("taps.listener.id=datagrams", "taps.profile=datagrams",
                            "taps.error.reason=PolicyProhibited");
                    // One WARN line for the cap, taps-core's: the Spring listener adds none of its own.
                    assertThat(output.getAll().lines().filter(line -> line.contains("WARN"))
                        .filter(line -> line.contains("limit"))).hasSize(1);
                }
            });
    }

    /**
     * Running out of file descriptors cannot be provoked without starving the test JVM itself, so
     * this drives the core's AcceptFailed event into the running listener's handler, the path the
     * core takes, and checks it reaches the meter, even behind an observer that breaks its contract
     * and throws.
     */
    @Test
    void acceptFailedReachesTheAcceptFailuresCounter() {
        this.contextRunner.withUserConfiguration(SecureEcho.class, ThrowingFirst.class)
            .withPropertyValues("taps.profiles.secure.security.enabled=false", "taps.profiles.secure.framers=length-prefix")
            .run(context -> {
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                RunningTapsListener listener = context.getBean(TapsListenerRegistry.class).listener("secure")
                    .orElseThrow();
                listener.eventHandler().acceptFailed(listener.listener(), new TransportServicesException(
                        ErrorReason.ACCEPT_FAILED, "cannot accept", new IOException("Too many open files")));
                assertThat(Search.in(meters).name("taps.listener.accept.failures").tag("taps.listener.id", "secure")
                    .tag("taps.error.reason", "AcceptFailed").counter().count()).isEqualTo(1.0);
            });
    }

    @Test
    void noListenerMetersWhenMetricsAreDisabled() {
        this.contextRunner.withPropertyValues("taps.metrics.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean("tapsListenerMeters"));
    }

    private static double rejected(MeterRegistry meters) {
        return Search.in(meters).name("taps.listener.rejected").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double limitReached(MeterRegistry meters) {
        return Search.in(meters).name("taps.listener.limit.reached").counters().stream().mapToDouble(c -> c.count())
            .sum();
    }

    private static void send(DatagramSocket socket, InetSocketAddress target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, target));
    }

    /** A JDK (not Netty) TLS client that trusts the server but has no certificate of its own. */
    private static void handshakeWithoutCertificate(int port) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("root", TestCertificates.ROOT.getCertificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            try {
                socket.startHandshake();
                // TLS 1.3: the client finishes first; the server's refusal arrives as an alert on read.
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            catch (IOException refused) {
                // The server refused the handshake: what this test provokes.
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ThrowingFirst {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        TapsListenerObserver throwingObserver() {
            return new TapsListenerObserver() {
                @Override
                public void acceptFailed(RunningTapsListener listener, TransportServicesException error) {
                    throw new IllegalStateException("observer fails");
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecureEcho {
        @TapsListener(id = "secure", profile = "secure", host = "127.0.0.1", port = "0")
        String echo(String text) {
            return text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DatagramSink {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @TapsListener(id = "datagrams", profile = "datagrams", host = "127.0.0.1", port = "0")
        void datagram(String text) {
            this.received.add(text);
        }
    }
}
