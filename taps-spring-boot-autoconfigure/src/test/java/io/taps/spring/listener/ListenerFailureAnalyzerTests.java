package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * Start-up failures of listeners as a Boot user meets them: a real {@link SpringApplication}, a
 * port really taken, and the analysis Boot prints.
 */
class ListenerFailureAnalyzerTests {

    @Test
    void portInUseNamesTheListenerThePortAndTheProperty() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Throwable failure = start("--taps.listeners.echo.port=" + port);

            assertThat(failure).hasCauseInstanceOf(TapsListenerBindException.class)
                .rootCause()
                .hasMessageContaining("Address already in use");
            FailureAnalysis analysis = new TapsListenerBindFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                .isEqualTo("taps listener 'echo' failed to start. Port " + port + " on 127.0.0.1 was already in use.");
            assertThat(analysis.getAction()).contains("port " + port)
                .contains("taps listener 'echo'")
                .contains("taps.listeners.echo.port");
        }
    }

    @Test
    void otherBindFailuresNameTheListenerAndTheCause() {
        // a host name that no resolver knows (RFC 6761 .invalid): nothing to bind
        Throwable failure = start("--taps.listeners.echo.port=0", "--taps.listeners.echo.host=taps-listener.invalid");

        assertThat(failure).hasCauseInstanceOf(TapsListenerBindException.class);
        FailureAnalysis analysis = new TapsListenerBindFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).startsWith("taps listener 'echo' (profile framed) failed to start on ")
            .contains("taps-listener.invalid")
            .doesNotContain("already in use");
        assertThat(analysis.getAction()).contains("taps.listeners.echo.host", "taps.listeners.echo.port");
    }

    @Test
    void virtualExecutionBeforeJdk21IsExplained() {
        Assumptions.assumeFalse(HandlerExecutors.virtualThreadsAvailable(), "this JVM has virtual threads");
        Throwable failure = start("--taps.listeners.echo.port=0", "--taps.listener.execution=virtual");

        assertThat(failure).hasRootCauseInstanceOf(ExecutionModeUnavailableException.class);
        FailureAnalysis analysis = new ExecutionModeFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).isEqualTo("taps.listener.execution=virtual needs virtual threads "
                + "(JDK 21 or later), but this application runs on Java " + System.getProperty("java.version") + ".");
        assertThat(analysis.getAction()).contains("JDK 21", "auto", "platform", "event-loop");
    }

    @Test
    void analyzersAreRegisteredForBoot() throws Exception {
        List<String> analyzers = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
            String names = PropertiesLoaderUtils.loadProperties(new UrlResource(url))
                .getProperty(FailureAnalyzer.class.getName(), "");
            analyzers.addAll(List.of(names.split(",")));
        }
        assertThat(analyzers).contains(TapsListenerBindFailureAnalyzer.class.getName(),
                ExecutionModeFailureAnalyzer.class.getName());
    }

    private static Throwable start(String... args) {
        SpringApplication application = new SpringApplication(EchoApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(java.util.Map.of("taps.event-loop-threads", "1",
                "taps.profiles.framed.framers", "length-prefix", "taps.profiles.framed.security.enabled", "false",
                "taps.listeners.echo.host", "127.0.0.1"));
        Throwable failure = catchThrowable(() -> application.run(args).close());
        assertThat(failure).as("start-up failed").isNotNull();
        return failure;
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class EchoApplication {
        @TapsListener(id = "echo", profile = "framed")
        String echo(String text) {
            return text;
        }
    }
}
