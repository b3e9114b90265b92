package io.taps.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Boots the real demo and talks to its echo listener with a plain socket (C-17). */
@SpringBootTest(properties = "demo.echo.port=0")
class DemoApplicationTest {

    @Autowired
    EchoService echo;

    @Test
    void echoesOverARealSocket() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("hello taps".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello taps");
        }
    }
}
