package io.taps.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One page of a headless Chromium driven over the Chrome DevTools Protocol: Chromium is started
 * with {@code --remote-debugging-port=0}, its port read from {@code DevToolsActivePort} in its
 * profile directory, and the page's target spoken to over a WebSocket of the JDK's HttpClient.
 * So a test can wait for what the page's scripts drew ({@link #awaitTrue}), read values from the
 * page ({@link #evaluate}) and keep a screenshot, instead of guessing a time budget.
 */
final class DevToolsPage implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process chromium;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private DevToolsPage(Process chromium, Path profile, WebSocket socket) {
        this.chromium = chromium;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts {@code executable} headless with one blank page and connects to that page. */
    static DevToolsPage open(String executable) throws Exception {
        Path profile = Files.createTempDirectory("taps-demo-devtools");
        Process chromium = new ProcessBuilder(executable, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--window-size=1400,1800", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int port = debuggingPort(chromium, profile.resolve("DevToolsActivePort"));
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            long deadline = System.nanoTime() + START.toNanos();
            while (pageSocket == null && System.nanoTime() < deadline) {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode target : targets) {
                    if ("page".equals(target.path("type").asString())) {
                        pageSocket = target.get("webSocketDebuggerUrl").asString();
                    }
                }
                if (pageSocket == null) {
                    Thread.sleep(100); // the first page target is being created
                }
            }
            if (pageSocket == null) {
                throw new AssertionError("chromium showed no page target on port " + port);
            }
            PageListener listener = new PageListener();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), listener)
                    .get(START.toSeconds(), TimeUnit.SECONDS);
            DevToolsPage page = new DevToolsPage(chromium, profile, socket);
            listener.page = page;
            return page;
        } catch (Exception | AssertionError failed) {
            chromium.destroyForcibly();
            throw failed;
        }
    }

    /** Chromium writes its port to DevToolsActivePort once it listens. */
    private static int debuggingPort(Process chromium, Path activePort) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(activePort)) {
                String first = Files.readAllLines(activePort).stream().findFirst().orElse("");
                if (!first.isBlank()) {
                    return Integer.parseInt(first.trim());
                }
            }
            if (!chromium.isAlive()) {
                throw new AssertionError("chromium exited with " + chromium.exitValue() + " before it listened");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("chromium did not write " + activePort + " within " + START);
    }

    /** Navigates to {@code url} and waits until the document has loaded. */
    void navigate(String url, Duration wait) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("url", url);
        call("Page.navigate", params, wait);
        awaitTrue("document.readyState === 'complete'", wait);
    }

    /** The value of a JavaScript expression in the page (promises awaited), as JSON. */
    JsonNode evaluate(String expression, Duration wait) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", params, wait);
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page threw on " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Waits until {@code expression} is true in the page; fails with its last value otherwise. */
    void awaitTrue(String expression, Duration wait) throws Exception {
        awaitValue(expression, JsonNode::asBoolean, wait);
    }

    /** Re-evaluates {@code expression} until its value passes {@code test}, each time the page may have redrawn. */
    JsonNode awaitValue(String expression, Predicate<JsonNode> test, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode value = evaluate(expression, wait);
        while (!test.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("page never satisfied " + expression + "; last value: " + value);
            }
            Thread.sleep(200); // the page redraws once a second
            value = evaluate(expression, wait);
        }
        return value;
    }

    /** A PNG of the whole page, for a person to look at. */
    void screenshot(Path file, Duration wait) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        JsonNode shot = call("Page.captureScreenshot", params, wait);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asString()));
    }

    private JsonNode call(String method, ObjectNode params, Duration wait) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(wait.toSeconds(), TimeUnit.SECONDS);
        JsonNode answer = reply.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    private void received(String text) {
        JsonNode message = JSON.readTree(text);
        if (message.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
            if (reply != null) {
                reply.complete(message);
            }
        }
    }

    /**
     * Stops Chromium and every process it started, then deletes its profile. Chromium's helper
     * processes (network service, zygotes) outlive a SIGTERM to the browser for a moment and go on
     * writing into the profile, so all of them are waited for, and a file that still vanishes
     * while the profile is deleted is not an error.
     */
    @Override
    public void close() throws IOException {
        socket.abort();
        List<ProcessHandle> tree = new ArrayList<>(chromium.descendants().toList());
        tree.add(chromium.toHandle());
        chromium.destroy();
        for (ProcessHandle process : tree) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } catch (ExecutionException | TimeoutException stillRunning) {
                process.destroyForcibly();
            }
        }
        Files.walkFileTree(profile, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failed) throws IOException {
                if (failed instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failed;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failed) throws IOException {
                if (failed != null && !(failed instanceof NoSuchFileException)) {
                    throw failed;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Collects a message's frames and hands whole messages to the page. */
    private static final class PageListener implements WebSocket.Listener {
        private final StringBuilder frames = new StringBuilder();
        volatile DevToolsPage page;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frames.append(data);
            if (last) {
                String text = frames.toString();
                frames.setLength(0);
                if (page != null) {
                    page.received(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
