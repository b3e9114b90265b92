package io.taps.spring.starter.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /actuator/taps} over real HTTP in an application built as a user builds one (this
 * starter, actuator, Spring MVC on Tomcat), with real taps Connections: the filters and limit as
 * query parameters, 400 for a value it cannot understand, and who the peers are shown only as
 * {@code management.endpoint.taps.show-values} allows: masked by default, even to an
 * authenticated user; with {@code when-authorized}, to an authenticated user with a configured
 * role. The user comes from a servlet filter standing in for the application's security (any
 * container or Spring Security sets the request's principal the same way).
 */
class TapsActuatorHttpTests {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MASK = "******";

    private static ConfigurableApplicationContext defaults;
    private static ConfigurableApplicationContext whenAuthorized;
    private static final List<Connection> clients = new ArrayList<>();

    @BeforeAll
    static void startTwoApplicationsWithClients() {
        defaults = start();
        whenAuthorized = start("management.endpoint.taps.show-values=when-authorized",
                "management.endpoint.taps.roles=TAPS_OPERATOR");
        for (ConfigurableApplicationContext context : List.of(defaults, whenAuthorized)) {
            connect(context, "echo");
            connect(context, "echo");
            connect(context, "audit");
        }
        for (ConfigurableApplicationContext context : List.of(defaults, whenAuthorized)) {
            // Three initiated and three accepted Connections in each application.
            await().atMost(Duration.ofSeconds(10)).until(() -> get(context, "/actuator/taps?limit=100", null)
                    .get("connectionCount").get("total").asInt() == 6);
        }
    }

    @AfterAll
    static void stop() {
        clients.forEach(Connection::abort);
        for (ConfigurableApplicationContext context : Arrays.asList(defaults, whenAuthorized)) {
            if (context != null) {
                context.close();
            }
        }
    }

    @Test
    void byDefaultNoPeerAddressIsShownNotEvenToAnAuthenticatedUser() throws Exception {
        for (String user : Arrays.asList(null, "alice:TAPS_OPERATOR")) {
            JsonNode taps = get(defaults, "/actuator/taps", user);
            assertThat(taps.get("connections")).hasSize(6).allSatisfy(connection -> {
                assertThat(connection.get("remote").asString()).isEqualTo(MASK);
                if (connection.get("role").asString().equals("initiate")) {
                    assertThat(connection.get("establishment").get("winner").asString()).contains(MASK);
                    connection.get("establishment").get("attempts")
                            .forEach(attempt -> assertThat(attempt.get("remote").asString()).isEqualTo(MASK));
                }
            });
            assertThat(taps.get("cache").get("performance"))
                    .allSatisfy(path -> assertThat(path.get("remote").asString()).isEqualTo(MASK));
            // The application's own listener addresses are not peers': shown.
            assertThat(taps.get("listeners").get(0).get("addresses").get(0).asString()).startsWith("127.0.0.1:");
            String id = taps.get("connections").get(0).get("id").asString();
            assertThat(get(defaults, "/actuator/taps/" + id, user).get("remote").asString()).isEqualTo(MASK);
        }
    }

    @Test
    void whenAuthorizedShowsPeersOnlyToAnAuthenticatedUserWithTheRole() throws Exception {
        for (String user : Arrays.asList(null, "bob:SOME_OTHER_ROLE")) {
            assertThat(get(whenAuthorized, "/actuator/taps", user).get("connections")).as(String.valueOf(user))
                    .allSatisfy(connection -> assertThat(connection.get("remote").asString()).isEqualTo(MASK));
        }
        JsonNode taps = get(whenAuthorized, "/actuator/taps", "alice:TAPS_OPERATOR");
        int echoPort = port(whenAuthorized, "echo");
        assertThat(taps.get("connections")).hasSize(6)
                .allSatisfy(connection -> assertThat(connection.get("remote").asString()).startsWith("127.0.0.1:"));
        assertThat(taps.get("connections")).filteredOn(c -> c.get("role").asString().equals("initiate"))
                .anySatisfy(c -> assertThat(c.get("remote").asString()).isEqualTo("127.0.0.1:" + echoPort));
        String id = taps.get("connections").get(0).get("id").asString();
        assertThat(get(whenAuthorized, "/actuator/taps/" + id, "alice:TAPS_OPERATOR").get("remote").asString())
                .startsWith("127.0.0.1:");
        assertThat(get(whenAuthorized, "/actuator/taps/" + id, null).get("remote").asString()).isEqualTo(MASK);
    }

    @Test
    void filtersAndLimitAreQueryParametersAndTheCountsSayWhatWasLeftOut() throws Exception {
        JsonNode echo = get(defaults, "/actuator/taps?listener=echo", null);
        assertThat(echo.get("connections")).hasSize(2).allSatisfy(connection -> {
            assertThat(connection.get("listener").asString()).isEqualTo("echo");
            assertThat(connection.get("role").asString()).isEqualTo("listen");
            // An accepted Connection raced nothing: no establishment report to read.
            assertThat(connection.hasNonNull("establishment")).isFalse();
        });
        assertThat(count(echo)).containsExactly(6, 2, 2, 100);
        // Each listed Connection once; its group names it by id only.
        assertThat(echo.get("groups")).hasSize(2).allSatisfy(group -> assertThat(group.get("connections").get(0)
                .isString()).isTrue());

        JsonNode limited = get(defaults, "/actuator/taps?state=established&limit=4", null);
        assertThat(limited.get("connections")).hasSize(4)
                .allSatisfy(connection -> assertThat(connection.get("state").asString()).isEqualTo("ESTABLISHED"));
        assertThat(count(limited)).containsExactly(6, 6, 4, 4);
        List<String> ids = new ArrayList<>();
        get(defaults, "/actuator/taps", null).get("connections").forEach(c -> ids.add(c.get("id").asString()));
        assertThat(ids).hasSize(6).doesNotHaveDuplicates();

        assertThat(count(get(defaults, "/actuator/taps?listener=audit&state=CLOSING", null)))
                .containsExactly(6, 0, 0, 100);
        assertThat(status(defaults, "/actuator/taps?state=half-open")).isEqualTo(400);
        assertThat(status(defaults, "/actuator/taps?limit=0")).isEqualTo(400);
        assertThat(status(defaults, "/actuator/taps?limit=many")).isEqualTo(400);
        assertThat(status(defaults, "/actuator/taps/c-999")).isEqualTo(404);
    }

    private static List<Integer> count(JsonNode taps) {
        JsonNode count = taps.get("connectionCount");
        return List.of(count.get("total").asInt(), count.get("matching").asInt(), count.get("listed").asInt(),
                count.get("limit").asInt());
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=taps", "taps.event-loop-threads=1",
                "taps.profiles.echo.security.enabled=false", "taps.profiles.echo.framers=length-prefix",
                "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(EchoApplication.class).properties(all.toArray(new String[0])).run();
    }

    private static void connect(ConfigurableApplicationContext context, String listener) {
        Connection connection = context.getBean(TapsProfiles.class).preconnection("echo")
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port(context, listener))).build().initiate();
        clients.add(connection);
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.ready().toCompletableFuture().isDone());
        assertThat(connection.ready().toCompletableFuture()).isCompletedWithValue(connection);
    }

    private static int port(ConfigurableApplicationContext context, String listener) {
        return context.getBean(TapsListenerRegistry.class).listener(listener).orElseThrow().port();
    }

    private static JsonNode get(ConfigurableApplicationContext context, String path, String user) {
        try {
            HttpResponse<String> response = HTTP.send(request(context, path, user), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException | InterruptedException failed) {
            throw new AssertionError(path, failed);
        }
    }

    private static int status(ConfigurableApplicationContext context, String path) throws Exception {
        return HTTP.send(request(context, path, null), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest request(ConfigurableApplicationContext context, String path, String user) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Accept", "application/json");
        if (user != null) {
            request.header(TestUserFilter.HEADER, user);
        }
        return request.build();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class EchoApplication {
        @Bean
        Filter testUserFilter() {
            return new TestUserFilter();
        }

        @Bean
        EchoHandlers echoHandlers() {
            return new EchoHandlers();
        }
    }

    static class EchoHandlers {
        @TapsListener(id = "echo", profile = "echo", host = "127.0.0.1", port = "0")
        String echo(String text) {
            return text;
        }

        @TapsListener(id = "audit", profile = "echo", host = "127.0.0.1", port = "0")
        String audit(String text) {
            return "audited " + text;
        }
    }

    /** Sets the request's user from {@code X-Test-User: name:ROLE}, as a container's login would. */
    static class TestUserFilter implements Filter {
        static final String HEADER = "X-Test-User";

        @Override
        public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response,
                jakarta.servlet.FilterChain chain) throws IOException, jakarta.servlet.ServletException {
            String user = ((HttpServletRequest) request).getHeader(HEADER);
            if (user == null) {
                chain.doFilter(request, response);
                return;
            }
            String[] nameAndRole = user.split(":", 2);
            Principal principal = () -> nameAndRole[0];
            chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }

                @Override
                public boolean isUserInRole(String role) {
                    return nameAndRole.length > 1 && nameAndRole[1].equals(role);
                }
            }, response);
        }
    }
}
