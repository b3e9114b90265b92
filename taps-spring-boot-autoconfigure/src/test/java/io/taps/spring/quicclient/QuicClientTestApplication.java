package io.taps.spring.quicclient;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taps.spring.listener.TapsListener;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** A QUIC {@code @TapsListener} and a meter registry: the peer and the meters of the QUIC client tests. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(QuicClientTestApplication.DigestingEcho.class)
class QuicClientTestApplication {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    /** Answers each Message with its SHA-256 (computed here) followed by the Message itself. */
    static class DigestingEcho {
        /** Held closed by a test so that requests stay in flight and the client needs more streams. */
        volatile CountDownLatch gate = new CountDownLatch(0);

        @TapsListener(id = "quic-echo", profile = "quic-server", host = "127.0.0.1", port = "0")
        byte[] echo(byte[] payload) throws InterruptedException {
            this.gate.await(30, TimeUnit.SECONDS);
            byte[] digest = sha256(payload);
            byte[] reply = new byte[digest.length + payload.length];
            System.arraycopy(digest, 0, reply, 0, digest.length);
            System.arraycopy(payload, 0, reply, digest.length, payload.length);
            return reply;
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
