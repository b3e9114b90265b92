package io.taps.spring.framers;

import io.taps.spring.listener.TapsListener;
import org.springframework.stereotype.Component;

/** One echo listener per configured framer. */
@Component
class EchoHandlers {

    @TapsListener(id = "lines", profile = "crlf-lines", host = "127.0.0.1", port = "0")
    String lines(String text) {
        return "echo: " + text;
    }

    @TapsListener(id = "short", profile = "short-frames", host = "127.0.0.1", port = "0")
    String shortFrames(String text) {
        return "echo: " + text;
    }

    @TapsListener(id = "tlv", profile = "little-tlv", host = "127.0.0.1", port = "0")
    String tlv(String text) {
        return "echo: " + text;
    }
}
