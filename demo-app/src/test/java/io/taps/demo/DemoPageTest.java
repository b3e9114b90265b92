package io.taps.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.listener.TapsListenerRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo page in a real headless Chromium (over the DevTools protocol), against the real demo
 * app with real taps Connections: the establishment timeline draws every Connection's DNS queries
 * and attempts on one wall-clock axis, and uPlot, served from the app's WebJar, draws the live
 * rates read from the Micrometer meters; the tables show the listeners, the QUIC group, the path
 * statistics and the paths. (Same properties as {@link DemoApplicationTest}, so the
 * two share one application context.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "demo.echo.port=0", "demo.chat.port=0", "demo.chat-quic.port=0", "demo.client.period=300ms" })
class DemoPageTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Each drawn row of the timeline with its bar's and track's geometry in CSS pixels. */
    private static final String ROWS = """
            [...document.querySelectorAll('#timeline .waterfall-row')].map(row => {
              const track = row.querySelector('.track').getBoundingClientRect();
              const bar = row.querySelector('.track .bar').getBoundingClientRect();
              return { id: row.dataset.connectionId, kind: row.dataset.kind, outcome: row.dataset.outcome,
                start: Number(row.dataset.start), end: Number(row.dataset.end), left: bar.left, right: bar.right,
                trackLeft: track.left, trackWidth: track.width };
            })""";
    /** How many pixels of the uPlot canvas carry the messages/s series' colour (#2e6fd3). */
    private static final String SERIES_PIXELS = """
            (() => {
              const canvas = document.querySelector('#rates .uplot canvas');
              const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let count = 0;
              for (let i = 0; i < pixels.length; i += 4) {
                if (Math.abs(pixels[i] - 0x2e) < 24 && Math.abs(pixels[i + 1] - 0x6f) < 24
                    && Math.abs(pixels[i + 2] - 0xd3) < 24 && pixels[i + 3] > 200) count++;
              }
              return count;
            })()""";

    @LocalServerPort
    int httpPort;

    @Autowired
    TapsListenerRegistry listeners;

    @Autowired
    TapsProfiles profiles;

    @Autowired
    ChatClient chatClient;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One Chromium for the class, started by the first test that needs it. */
    private static DevToolsPage page;

    private static DevToolsPage page() throws Exception {
        if (page == null) {
            page = DevToolsPage.open(Chromium.require());
        }
        return page;
    }

    @AfterAll
    static void closeChromium() throws Exception {
        if (page != null) {
            page.close();
        }
    }

    @Test
    void thePageShowsTheListenersTheQuicGroupPathStatisticsAndPaths() throws Exception {
        DevToolsPage page = page();
        await().atMost(WAIT).until(() -> chatClient.quicConnections().size() == 2
                && chatClient.lastQuicReply().startsWith("taps-demo heard over QUIC: ")
                && chatClient.quicConnections().stream().allMatch(c -> c.transferReport().messagesReceived() > 0));
        String chatPort = Integer.toString(listeners.listener("chat").orElseThrow().port());
        page.navigate("http://localhost:" + httpPort + "/", WAIT);
        page.awaitTrue("document.querySelector('.path-stat[data-remote=\"127.0.0.1:" + chatPort + "\"]') !== null"
                + " && document.querySelectorAll('.group .member').length >= 2", WAIT);
        String dom = page.evaluate("document.documentElement.outerHTML", WAIT).asString();

        assertThat(dom).contains("data-listener-id=\"echo\"").contains("data-listener-id=\"chat\"")
                .contains("TLS/TCP");
        String quicGroup = chatClient.quicConnections().get(0).group().id();
        assertThat(dom).contains("data-group-id=\"" + quicGroup + "\" data-multiplexed=\"true\" data-members=\"2\"");
        assertThat(dom).contains("class=\"member\"");
        assertThat(dom).contains("data-path-name=\"lo\" data-path-type=\"LOOPBACK\"");
    }

    @Test
    void theTimelineDrawsEveryConnectionsDnsAndAttemptsOnOneAxisAndUplotDrawsTheMeters() throws Exception {
        DevToolsPage page = page();
        await().atMost(WAIT).until(() -> chatClient.connection() != null
                && chatClient.connection().ready().toCompletableFuture().isDone());
        // Real Connections made after the chat client's, to a name (so each has a DNS phase).
        List<Connection> echoes = new ArrayList<>();
        try {
            int echoPort = listeners.listener("echo").orElseThrow().port();
            for (int i = 0; i < 2; i++) {
                Connection echo = profiles.preconnection("echo").remote(RemoteEndpoint.ofHost("localhost", echoPort))
                        .build().initiate();
                echoes.add(echo);
                echo.ready().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                echo.send("page test " + i).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                echo.receive().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            JsonNode taps = JSON.readTree(get("/actuator/taps"));
            String chatId = chatClientConnectionId(taps);
            List<JsonNode> mine = new ArrayList<>();
            for (JsonNode connection : taps.get("connections")) {
                if (connection.get("role").asString().equals("initiate")
                        && connection.get("remote").asString().contains(":" + echoPort)) {
                    mine.add(connection);
                }
            }
            assertThat(mine).as("the test's echo connections in %s", taps).hasSize(2);
            String laterId = mine.get(1).get("id").asString();
            JsonNode laterDns = mine.get(1).get("establishment").get("resolutions").get(0);
            double laterDnsStart = epochMillis(mine.get(1).get("establishment").get("startedAt").asString())
                    + laterDns.get("startMs").asDouble();

            assertThat(status("/webjars/uplot/dist/uPlot.iife.min.js")).as("uPlot served from its WebJar").isEqualTo(200);

            page.navigate("http://localhost:" + httpPort + "/", WAIT);
            page.awaitTrue("document.querySelectorAll('#timeline .waterfall-row[data-kind=\"dns\"][data-connection-id=\""
                    + laterId + "\"]').length > 0 && document.querySelector('#timeline .waterfall-row"
                    + "[data-kind=\"attempt\"][data-connection-id=\"" + chatId + "\"][data-outcome=\"FAILED\"]') !== null",
                    WAIT);
            Map<String, List<JsonNode>> rows = byConnection(page.evaluate(ROWS, WAIT));

            // One axis: every row's track is the same strip of the page.
            JsonNode firstTrack = rows.get(chatId).get(0);
            rows.values().forEach(list -> list.forEach(row -> {
                assertThat(row.get("trackLeft").asDouble()).isCloseTo(firstTrack.get("trackLeft").asDouble(),
                        within(0.5));
                assertThat(row.get("trackWidth").asDouble()).isCloseTo(firstTrack.get("trackWidth").asDouble(),
                        within(0.5));
            }));

            // The chat client's racing (taps-demo.localhost): DNS first, then ::1 refused and 127.0.0.1 won.
            List<JsonNode> chat = rows.get(chatId);
            assertThat(chat).extracting(row -> row.get("kind").asString()).contains("dns", "attempt");
            assertThat(chat).extracting(row -> row.get("outcome").asString()).contains("DNS", "FAILED", "SUCCEEDED");
            double firstAnswer = chat.stream().filter(row -> row.get("kind").asString().equals("dns"))
                    .mapToDouble(row -> row.get("right").asDouble()).min().orElseThrow();
            JsonNode firstAttempt = chat.stream().filter(row -> row.get("kind").asString().equals("attempt"))
                    .min((a, b) -> Double.compare(a.get("start").asDouble(), b.get("start").asDouble())).orElseThrow();
            assertThat(firstAttempt.get("left").asDouble()).as("the race starts once a DNS answer came")
                    .isGreaterThanOrEqualTo(firstAnswer - 1);
            double chatWon = chat.stream().filter(row -> row.get("outcome").asString().equals("SUCCEEDED"))
                    .mapToDouble(row -> row.get("right").asDouble()).max().orElseThrow();

            // Wall-clock alignment: a later Connection is drawn to the right of an earlier one
            // (with per-connection axes both would start at the left edge), and each bar sits at
            // the report's startedAt + offset.
            List<JsonNode> later = rows.get(laterId);
            JsonNode laterDnsRow = later.stream().filter(row -> row.get("kind").asString().equals("dns")).findFirst()
                    .orElseThrow();
            assertThat(laterDnsRow.get("left").asDouble()).isGreaterThan(chatWon);
            assertThat(laterDnsRow.get("start").asDouble()).isCloseTo(laterDnsStart, within(0.01));
            List<JsonNode> earlier = rows.get(mine.get(0).get("id").asString());
            double earlierEnd = earlier.stream().mapToDouble(row -> row.get("right").asDouble()).max().orElseThrow();
            assertThat(later.stream().mapToDouble(row -> row.get("left").asDouble()).min().orElseThrow())
                    .isGreaterThanOrEqualTo(earlierEnd - 1);

            // The live chart: uPlot loaded from the WebJar, was fed samples of the meters
            // (messages flow: the chat client talks every 300 ms) and drew the series.
            assertThat(page.evaluate("typeof uPlot === 'function' && RATES.chart !== null"
                    + " && document.getElementById('rates').contains(RATES.chart.root)", WAIT).asBoolean()).isTrue();
            page.awaitTrue("RATES.data[0].length >= 3 && Math.max(...RATES.data[2]) > 0", WAIT);
            assertThat(page.evaluate("RATES.chart.data[0].length === RATES.data[0].length", WAIT).asBoolean()).isTrue();
            assertThat(page.evaluate("document.getElementById('rates').dataset.points", WAIT).asString())
                    .isNotEmpty();
            assertThat(page.awaitValue(SERIES_PIXELS, pixels -> pixels.asInt() > 20, WAIT).asInt())
                    .as("pixels of the messages/s line on uPlot's canvas").isGreaterThan(20);
            page.screenshot(Path.of("target", "demo-page.png"), WAIT);
        } finally {
            echoes.forEach(Connection::close);
        }
    }

    private String chatClientConnectionId(JsonNode taps) {
        String chatPort = ":" + listeners.listener("chat").orElseThrow().port();
        for (JsonNode connection : taps.get("connections")) {
            if (connection.get("role").asString().equals("initiate") && connection.get("remote").asString().contains(chatPort)) {
                return connection.get("id").asString();
            }
        }
        throw new AssertionError("no chat client connection in " + taps);
    }

    private static Map<String, List<JsonNode>> byConnection(JsonNode rows) {
        Map<String, List<JsonNode>> byId = new HashMap<>();
        rows.forEach(row -> byId.computeIfAbsent(row.get("id").asString(), id -> new ArrayList<>()).add(row));
        return byId;
    }

    private static double epochMillis(String instant) {
        Instant parsed = Instant.parse(instant);
        return parsed.getEpochSecond() * 1000.0 + parsed.getNano() / 1_000_000.0;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(request(path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }

    private int status(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path)).timeout(Duration.ofSeconds(10))
                .build();
    }
}
