package io.taps.spring.client;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.springframework.core.ResolvableType;

/**
 * A client of one remote peer, configured under {@code taps.clients.<name>}: a Preconnection built
 * from a taps property profile (RFC 9622 §6) and a Remote Endpoint, whose Connection (§7.1) is
 * established on first use, reused by every call and re-established with exponential back-off
 * after it closed or failed. Payloads go through the same {@link io.taps.spring.convert.TapsMessageConverters}
 * as {@code @TapsListener} methods, in the client's {@code content-type}.
 *
 * <p>Inject it by name: {@code @Qualifier("orders") TapsClient orders}, or look it up in
 * {@link TapsClients}.
 *
 * <p>A request is one Message sent (§9.2) and the next Message received (§9.3) on the same
 * Connection: replies are matched to requests in the order they were sent, so the peer must answer
 * every request with exactly one Message, in order, as a {@code @TapsListener} method returning a
 * value does. On a byte-stream stack the profile needs a Message Framer (§9.1.2) so that each reply
 * arrives whole. Concurrent requests are pipelined on the Connection; on a multistreaming stack
 * (QUIC, {@link io.taps.ConnectionGroup#multiplexed()}) they are spread over clones of the
 * Connection (§7.4), up to {@code pool.max-connections}.
 *
 * <p>Every call returns at once. The stages complete on a taps event thread: use the
 * {@code ...Async} methods of {@link CompletionStage} for work that blocks. Failures are typed:
 * {@link TapsRequestTimeoutException} when no Connection or reply came in time,
 * {@link TapsClientConnectionException} when the Connection was lost with the call in flight or the
 * client is closed, {@link TapsClientException} when too many calls are pending, and
 * {@link io.taps.spring.convert.TapsMessageConversionException} when a payload or reply cannot be converted.
 */
public interface TapsClient {

    /** The client's name ({@code taps.clients.<name>}), also its bean name and qualifier. */
    String name();

    /** The name of the property profile the client's Connections are made from. */
    String profile();

    /**
     * Sends {@code payload} as one Message; completes when the Message was Sent (RFC 9622 §9.2.2),
     * within the client's {@code request-timeout} (waiting for a Connection included).
     */
    CompletionStage<Void> send(Object payload);

    /**
     * Sends {@code payload} and completes with the next Message received on the same Connection,
     * read as {@code replyType}, within the client's {@code request-timeout}.
     */
    <T> CompletionStage<T> request(Object payload, Class<T> replyType);

    /** Like {@link #request(Object, Class)} with its own {@code timeout}. */
    <T> CompletionStage<T> request(Object payload, Class<T> replyType, Duration timeout);

    /** Like {@link #request(Object, Class, Duration)} for a generic reply type such as {@code List<Order>}. */
    <T> CompletionStage<T> request(Object payload, ResolvableType replyType, Duration timeout);
}
