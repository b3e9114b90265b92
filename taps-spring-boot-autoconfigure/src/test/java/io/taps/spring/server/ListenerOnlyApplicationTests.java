package io.taps.spring.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's listener-only application, started as a user starts it: its own JVM, no web
 * server, one YAML file. It must keep running on its own (taps' threads are daemons), serve, and
 * stop gracefully on SIGTERM.
 */
class ListenerOnlyApplicationTests {
    private static final Pattern LISTENING = Pattern.compile("taps listener 'echo' .* listening on \\[/127\\.0\\.0\\.1:(\\d+)\\]");
    private Path log;
    private Process process;

    @AfterEach
    void killChild() {
        if (this.process != null) {
            this.process.destroyForcibly();
            try {
                Files.deleteIfExists(this.log);
            }
            catch (IOException ignored) {
                // a temp file
            }
        }
    }

    @Test
    void staysUpServesAndStopsGracefullyOnSigterm() throws Exception {
        this.process = startChild();
        int port = await().atMost(Duration.ofSeconds(60)).until(this::listeningPort, p -> p > 0);

        // Without a non-daemon thread of its own the JVM ends right after start-up.
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).until(this.process::isAlive);

        try (TransportServices client = TransportServices.builder().eventLoopThreads(1).build()) {
            Connection connection = client.preconnection()
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .properties(TransportProperties.reliableMessage())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4))
                .build()
                .initiate();
            connection.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
            connection.send(Message.of("still here"));
            assertThat(connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).asString())
                .isEqualTo("still here");
            connection.close();
        }

        this.process.destroy(); // SIGTERM
        assertThat(this.process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        // 143 = 128 + SIGTERM: the JVM's exit status after running its shutdown hooks, as for any Boot app.
        assertThat(this.process.exitValue()).as(this::output).isIn(0, 143);
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(output())
                .contains("Commencing graceful shutdown of taps listener 'echo'")
                .contains("Graceful shutdown of taps listener 'echo' complete"));
    }

    @Test
    void readmeShowsTheApplicationThisTestRuns() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String yaml = Files.readString(Path.of("src/test/resources/echo-server/application.yml"));
        assertThat(readme).contains(yaml.strip());
        assertThat(readme).contains("@TapsListener(id = \"echo\", profile = \"framed\")");
    }

    private String output() {
        try {
            return Files.readString(this.log);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private int listeningPort() {
        Matcher matcher = LISTENING.matcher(output());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private Process startChild() throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(classPath);
        command.add(EchoServerApplication.class.getName());
        // The module's test resources are shared by many tests, so the YAML is not at the class-path root.
        command.add("--spring.config.location=classpath:/echo-server/application.yml");
        command.add("--taps.listeners.echo.port=0");
        this.log = Files.createTempFile("echo-server", ".log");
        return new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(this.log.toFile())
            .directory(new File("."))
            .start();
    }
}
