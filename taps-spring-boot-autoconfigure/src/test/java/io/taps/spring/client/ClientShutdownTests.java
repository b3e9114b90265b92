package io.taps.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application context closes the clients' Connections, and the clients take no more
 * calls; a context stopped and started again keeps working clients.
 */
class ClientShutdownTests {

    @Test
    void aContextStoppedAndStartedAgainKeepsItsClientsWorking() throws Exception {
        // Spring's test context cache stops an unused context and starts it again later.
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ClientTestApplication.class)
            .web(WebApplicationType.NONE)
            .properties("taps.event-loop-threads=1", "taps.listener.execution=platform",
                    "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                    "taps.clients.echo.profile=framed", "taps.clients.echo.remote.host=127.0.0.1",
                    "taps.clients.echo.remote.port=${local.taps.echo.port}")
            .run()) {
            TapsClient echo = context.getBean("echo", TapsClient.class);
            assertThat(echo.request("before", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEqualTo("echo: before");
            context.stop();
            context.start();
            assertThat(echo.request("after", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEqualTo("echo: after");
        }
    }

    @Test
    void closingTheContextClosesClientConnectionsGracefully() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ClientTestApplication.class)
            .web(WebApplicationType.NONE)
            .properties("taps.event-loop-threads=1", "taps.listener.execution=platform",
                    "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                    "taps.clients.echo.profile=framed", "taps.clients.echo.remote.host=127.0.0.1",
                    "taps.clients.echo.remote.port=${local.taps.echo.port}")
            .run();
        TapsClient echo;
        Connection connection;
        try {
            echo = context.getBean("echo", TapsClient.class);
            assertThat(echo.request("bye", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEqualTo("echo: bye");
            connection = context.getBean(TapsClients.class).connections("echo").get(0);
        }
        finally {
            context.close();
        }
        assertThat(connection.closed().toCompletableFuture().isDone()).isTrue();
        assertThat(connection.closed().toCompletableFuture().isCompletedExceptionally()).isFalse();
        assertThatThrownBy(() -> echo.request("after", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(TapsClientConnectionException.class)
            .hasMessageContaining("closed");
    }
}
