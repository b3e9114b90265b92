package io.taps.spring.clientreadme;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.clientreadme.OrderService.Confirmation;
import io.taps.spring.clientreadme.OrderService.Order;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The README's "Clients" example as it is written there: its YAML file and its service, against a
 * listener of the same application ({@code orders.port} points the client at it).
 */
@SpringBootTest(classes = ReadmeClientApplication.class,
        properties = { "spring.config.location=classpath:clients-readme/application.yml",
                "orders.port=${local.taps.orders.port}", "taps.event-loop-threads=1",
                "taps.listener.execution=platform" })
class ReadmeClientExampleTests {

    @Autowired
    OrderService orderService;

    @Test
    void theServicePlacesAnOrderThroughTheClient() throws Exception {
        Confirmation confirmation = this.orderService.place(new Order("A-1", 3)).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        assertThat(confirmation).isEqualTo(new Confirmation("A-1", "confirmed x3"));
    }

    @Test
    void readmeShowsTheYamlAndTheServiceThisTestRuns() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(Files.readString(Path.of("src/test/resources/clients-readme/application.yml")).strip());
        String service = Files.readString(Path.of("src/test/java/io/taps/spring/clientreadme/OrderService.java"));
        String body = service.substring(service.indexOf("@Service"), service.indexOf("    record Order")).strip();
        assertThat(readme).contains(body);
    }
}
