package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TestCertificates;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tests for {@link TapsListenerAutoConfiguration} and the listener machinery it sets up. */
class TapsListenerAutoConfigurationTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class, SslAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix");

    @Test
    void providesTheListenerInfrastructure() {
        this.contextRunner.run(context -> {
            assertThat(context).hasSingleBean(TapsListenerRegistry.class)
                .hasSingleBean(TapsListenerErrorHandler.class)
                .hasBean(TapsListenerAnnotationBeanPostProcessor.BEAN_NAME)
                .hasBean(TapsListenerAutoConfiguration.EXECUTOR_BEAN_NAME)
                .hasBean("localTapsPortAutowireCandidateResolverInstaller");
            assertThat(context.getBean(TapsListenerErrorHandler.class)).isInstanceOf(LoggingTapsListenerErrorHandler.class);
            assertThat(context.getBean(TapsListenerRegistry.class).listeners()).isEmpty();
        });
    }

    @Test
    void userErrorHandlerAndExecutorReplaceTheDefaults() {
        this.contextRunner.withUserConfiguration(OwnErrorHandlerAndExecutor.class, EchoListener.class).run(context -> {
            assertThat(context.getBean(TapsListenerErrorHandler.class)).isSameAs(context.getBean("ownErrorHandler"));
            int port = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                assertThat(RawTestClient.exchange(connection, "hi")).isEqualTo("hi");
                connection.close();
            }
            assertThat(context.getBean(EchoListener.class).threads).singleElement()
                .satisfies(name -> assertThat(name).startsWith("own-executor"));
        });
    }

    @Test
    void observersAndStartedEventsSeeTheListenerAtWork() {
        this.contextRunner.withUserConfiguration(EchoListener.class, Observing.class).run(context -> {
            Observing observing = context.getBean(Observing.class);
            RunningTapsListener echo = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow();
            assertThat(observing.events).containsExactly("started:echo:" + echo.port());
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(echo.port());
                assertThat(RawTestClient.exchange(connection, "seen")).isEqualTo("seen");
                connection.close();
                org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(observing.events).containsExactly("started:echo:" + echo.port(),
                            "received:echo", "handled:echo:seen:ok", "closed:echo:graceful"));
            }
        });
    }

    @Test
    void unsupportedArgumentTypeFailsStartUpNamingTheMethod() {
        this.contextRunner.withUserConfiguration(BadArgument.class).run(context -> {
            assertThat(context).hasFailed();
            // No converter reads an Integer here (no Jackson): registration, at start-up, refuses it.
            assertThat(context.getStartupFailure())
                .hasMessageContaining("BadArgument.handle")
                .hasMessageContaining("java.lang.Integer");
        });
    }

    @Test
    void unsupportedReturnTypeFailsStartUp() {
        this.contextRunner.withUserConfiguration(BadReturn.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("BadReturn.handle")
                .hasMessageContaining("returns java.lang.Long");
        });
    }

    @Test
    void duplicateListenerIdsFailStartUp() {
        this.contextRunner.withUserConfiguration(EchoListener.class, SecondEcho.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("two @TapsListener endpoints have the id 'echo'");
        });
    }

    @Test
    void callbackForAnUnknownListenerFailsStartUp() {
        this.contextRunner.withUserConfiguration(EchoListener.class, StrayCallback.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("ecko")
                .hasMessageContaining("echo");
        });
    }

    @Test
    void listenerWithAnUnknownProfileFailsStartUpListingTheProfiles() {
        this.contextRunner.withUserConfiguration(UnknownProfile.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("unknown taps profile 'framd'")
                .hasMessageContaining("framed")
                .hasMessageContaining("reliable-message");
        });
    }

    @Test
    void listenerWithoutAPortFailsStartUp() {
        this.contextRunner.withUserConfiguration(NoPort.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("has no port");
        });
    }

    @Test
    void portFromTheProfileIsUsedWhenTheAnnotationHasNone() {
        this.contextRunner.withUserConfiguration(NoPort.class)
            .withPropertyValues("taps.profiles.framed.local.host=127.0.0.1", "taps.profiles.framed.local.port=0")
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(TapsListenerRegistry.class).listener("noport").orElseThrow().port())
                    .isPositive();
                assertThat(context.getEnvironment().getProperty("local.taps.noport.port", Integer.class)).isPositive();
                assertThat(context.getEnvironment().getProperty("local.taps.port", Integer.class)).isPositive();
            });
    }

    @Test
    void listenerSettingsFromPropertiesReplaceTheAnnotationsValues() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listeners.echo.port=" + free, "taps.listeners.echo.profile=reliable-inorder-stream",
                    "taps.profiles.reliable-inorder-stream.security.enabled=false")
            .run(context -> {
                RunningTapsListener echo = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow();
                assertThat(echo.port()).isEqualTo(free);
                assertThat(echo.profile()).isEqualTo("reliable-inorder-stream");
            });
    }

    @Test
    void listenerSettingsForAnUnknownIdFailStartUp() {
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listeners.ecoh.port=0")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).hasStackTraceContaining("taps.listeners.ecoh names no @TapsListener")
                    .hasStackTraceContaining("echo");
            });
    }

    @Test
    void profileNoStackCanServeFailsStartUpNamingTheListener() {
        // reliable-message without a framer needs a reliable message-preserving stack: none here
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listeners.echo.profile=reliable-message")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).hasStackTraceContaining("taps listener 'echo'")
                    .hasStackTraceContaining("reliable-message");
            });
    }

    @Test
    void portInUseFailsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            this.contextRunner.withUserConfiguration(EchoListener.class)
                .withPropertyValues("echo.port=" + taken.getLocalPort())
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("taps listener 'echo' could not listen")
                        .hasStackTraceContaining(Integer.toString(taken.getLocalPort()));
                });
        }
    }

    @Test
    void listenerWithAutoStartupOffStartsOnRequest() {
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listener.auto-startup=false")
            .run(context -> {
                TapsListenerRegistry registry = context.getBean(TapsListenerRegistry.class);
                assertThat(registry.listeners()).isEmpty();
                assertThat(registry.endpoints()).extracting(TapsListenerEndpoint::id).containsExactly("echo");
                RunningTapsListener echo = registry.start("echo");
                assertThat(registry.listeners()).containsExactly(echo);
                try (RawTestClient client = new RawTestClient()) {
                    Connection connection = client.connect(echo.port());
                    assertThat(RawTestClient.exchange(connection, "late")).isEqualTo("late");
                    connection.close();
                }
            });
    }

    @Test
    void eventLoopExecutionRunsHandlersInlineOnTheConnectionsEventLoop() {
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listener.execution=event-loop")
            .run(context -> {
                int port = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
                try (RawTestClient client = new RawTestClient()) {
                    Connection connection = client.connect(port);
                    assertThat(RawTestClient.exchange(connection, "inline")).isEqualTo("inline");
                    connection.close();
                }
                assertThat(context.getBean(EchoListener.class).eventLoop).containsExactly(true);
            });
    }

    @Test
    void virtualExecutionNeedsVirtualThreads() {
        this.contextRunner.withUserConfiguration(EchoListener.class)
            .withPropertyValues("taps.listener.execution=virtual")
            .run(context -> {
                if (HandlerExecutors.virtualThreadsAvailable()) {
                    int port = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
                    try (RawTestClient client = new RawTestClient()) {
                        Connection connection = client.connect(port);
                        assertThat(RawTestClient.exchange(connection, "virtual")).isEqualTo("virtual");
                        connection.close();
                    }
                    assertThat(context.getBean(EchoListener.class).virtual).containsExactly(true);
                }
                else {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("JDK 21");
                }
            });
    }

    @Test
    void tlsListenerFromAnSslBundleProfile() {
        this.contextRunner.withUserConfiguration(SecureListener.class)
            .withPropertyValues(TestCertificates.serverBundle("server"))
            .withPropertyValues("taps.profiles.secure.framers=length-prefix",
                    "taps.profiles.secure.security.ssl-bundle=server", "taps.profiles.secure.security.alpn=chat/1")
            .run(context -> {
                int port = context.getBean(TapsListenerRegistry.class).listener("secure").orElseThrow().port();
                try (RawTestClient client = new RawTestClient()) {
                    Connection connection = client.connect(port, SecurityParameters.builder()
                        .trustAnchors(TestCertificates.ROOT.getCertificate())
                        .alpn("chat/1")
                        .build());
                    assertThat(connection.protocolStack()).hasValue("TLS/TCP");
                    assertThat(connection.negotiatedApplicationProtocol()).hasValue("chat/1");
                    assertThat(RawTestClient.exchange(connection, "secret")).isEqualTo("tls: secret");
                    connection.close();
                }
            });
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        }
        catch (ReflectiveOperationException ex) {
            return false;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoListener {
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Boolean> eventLoop = new CopyOnWriteArrayList<>();
        final List<Boolean> virtual = new CopyOnWriteArrayList<>();

        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "${echo.port:0}")
        Message echo(Message message) {
            this.threads.add(Thread.currentThread().getName());
            this.eventLoop.add(Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread);
            this.virtual.add(isVirtual(Thread.currentThread()));
            return message;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Observing implements TapsListenerObserver,
            org.springframework.context.ApplicationListener<TapsListenerStartedEvent> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(TapsListenerStartedEvent event) {
            this.events.add("started:" + event.getListener().id() + ":" + event.getListener().port());
        }

        @Override
        public void connectionReceived(RunningTapsListener listener, Connection connection) {
            this.events.add("received:" + listener.id());
        }

        @Override
        public void messageHandled(RunningTapsListener listener, Connection connection, Message message, long nanos,
                @Nullable Throwable error) {
            this.events.add("handled:" + listener.id() + ":" + message.asString() + ":"
                    + (error == null && nanos > 0 ? "ok" : String.valueOf(error)));
        }

        @Override
        public void connectionClosed(RunningTapsListener listener, Connection connection, @Nullable Throwable error) {
            this.events.add("closed:" + listener.id() + ":" + (error == null ? "graceful" : error.getMessage()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondEcho {
        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
        void echo(Message message) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class StrayCallback {
        @TapsConnectionReceived("ecko")
        void received(Connection connection) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownProfile {
        @TapsListener(id = "typo", profile = "framd", port = "0")
        void handle(Message message) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NoPort {
        @TapsListener(id = "noport", profile = "framed")
        void handle(Message message) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BadArgument {
        @TapsListener(id = "bad", port = "0")
        void handle(Integer number) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BadReturn {
        @TapsListener(id = "bad", port = "0")
        Long handle(String text) {
            return 1L;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecureListener {
        @TapsListener(id = "secure", profile = "secure", host = "127.0.0.1", port = "0")
        String handle(String text) {
            return "tls: " + text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnErrorHandlerAndExecutor {
        @Bean
        TapsListenerErrorHandler ownErrorHandler() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> {
            };
        }

        @Bean(name = TapsListenerAutoConfiguration.EXECUTOR_BEAN_NAME, destroyMethod = "shutdown")
        ExecutorService ownExecutor() {
            return Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "own-executor");
                thread.setDaemon(true);
                return thread;
            });
        }
    }
}
