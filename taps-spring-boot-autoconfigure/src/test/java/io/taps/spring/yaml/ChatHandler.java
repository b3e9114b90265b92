package io.taps.spring.yaml;

import io.taps.Connection;
import io.taps.spring.listener.TapsListener;
import org.springframework.stereotype.Component;

/** The chat listener of design.md's Spring sketch. */
@Component
class ChatHandler {

    @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "${chat.port:0}")
    String onMessage(String text, Connection connection) {
        return "echo: " + text;
    }
}
