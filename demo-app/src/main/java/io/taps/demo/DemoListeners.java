package io.taps.demo;

import io.taps.spring.listener.TapsListener;
import org.springframework.stereotype.Component;

/**
 * The demo's taps listeners (echo over TCP, chat over TLS/TCP and over QUIC), declared only with annotations and YAML profiles
 * (RFC 9622 §7.2 Listen, §9.3 Receive).
 */
@Component
public class DemoListeners {

    /**
     * Echo over plain TCP (profile {@code echo}): every chunk of bytes that arrives is sent back;
     * the client's end of stream ends the Connection.
     */
    @TapsListener(id = "echo", profile = "echo", port = "${demo.echo.port:7000}")
    public byte[] echo(byte[] data) {
        return data;
    }

    /**
     * Chat over TLS with the length-prefix framer (profile {@code chat}): each Message is one
     * {@link ChatLine} as JSON (the profile's content type is {@code application/json}), answered
     * with one {@link ChatReply} Message. Bound on 127.0.0.1 only, so a client racing ::1 and
     * 127.0.0.1 shows a failed attempt before the winner.
     */
    @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "${demo.chat.port:7001}")
    public ChatReply chat(ChatLine line) {
        return new ChatReply(line.from(), line.text(), "taps-demo");
    }

    /**
     * The same chat over QUIC (profile {@code chat-quic}, RFC 9000): every stream a client opens
     * is one Connection, and all streams of one QUIC connection form one Connection Group
     * (RFC 9622 §7.4).
     */
    @TapsListener(id = "chat-quic", profile = "chat-quic", host = "127.0.0.1", port = "${demo.chat-quic.port:7002}",
            autoStartup = "${demo.quic.enabled:true}")
    public String chatOverQuic(String line) {
        return "taps-demo heard over QUIC: " + line;
    }
}
