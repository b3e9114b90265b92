package io.taps.spring.slice;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.spring.listener.TapsConnectionClosed;
import io.taps.spring.listener.TapsConnectionReceived;
import io.taps.spring.listener.TapsListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** The listeners of the slice tests, one per argument and return style. */
@Component
class Handlers {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "${echo.port:0}")
    String echo(String text) {
        this.threads.add(Thread.currentThread().getName());
        return "echo: " + text;
    }

    @TapsConnectionReceived("echo")
    void echoConnectionReceived(Connection connection) {
        this.events.add("received:" + connection.remoteEndpoint().isPresent());
    }

    @TapsConnectionClosed("echo")
    void echoConnectionClosed(Connection connection, @Nullable Throwable error) {
        this.events.add("closed:" + (error == null ? "graceful" : error.getMessage()));
    }

    @TapsListener(id = "bytes", profile = "framed", host = "127.0.0.1", port = "0")
    byte[] reverse(byte[] data, Connection connection) {
        byte[] reversed = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            reversed[i] = data[data.length - 1 - i];
        }
        return reversed;
    }

    @TapsListener(id = "describe", profile = "framed", host = "127.0.0.1", port = "0")
    Message describe(ByteBuffer buffer, MessageContext context, Message message, Connection connection) {
        String description = buffer.remaining() + "|" + buffer.isReadOnly() + "|"
                + context.remoteEndpoint().isPresent() + "|" + connection.protocolStack().orElse("?") + "|"
                + message.asString();
        return Message.of(description);
    }

    @TapsListener(id = "buffer", profile = "framed", host = "127.0.0.1", port = "0")
    ByteBuffer upper(ByteBuffer buffer) {
        return ByteBuffer.wrap(StandardCharsets.UTF_8.decode(buffer).toString().toUpperCase().getBytes(StandardCharsets.UTF_8));
    }

    @TapsListener(id = "failing", profile = "framed", host = "127.0.0.1", port = "0")
    String failing(String text) {
        if (text.equals("boom")) {
            throw new IllegalStateException("handler exploded");
        }
        return "ok: " + text;
    }

    @TapsListener(id = "ordered", profile = "framed", host = "127.0.0.1", port = "0")
    CompletionStage<String> ordered(String text) {
        // Replies complete on another thread after a random pause: order must still hold.
        return CompletableFuture.supplyAsync(() -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(2_000_000));
            return "#" + text;
        });
    }

    @TapsListener(id = "counted", profile = "counted", host = "127.0.0.1", port = "0")
    String counted(String text) {
        return text.length() + "";
    }

    @TapsListener(id = "plain", host = "127.0.0.1", port = "0")
    String plain(String text) {
        return text.toUpperCase();
    }
}
