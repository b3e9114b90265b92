package io.taps.spring.listener;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Replies from a {@code Mono}/{@code Flux} (any Reactive Streams {@link Publisher}) when Reactor is
 * on the class path: one reply per element, each Sent before the next element is requested, so
 * replies keep their order and a fast publisher never queues more than one reply in memory. Only
 * the guarded static methods touch Reactor's types, so this class is safe to reference without it.
 */
final class ReactorReplies {
    private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
            ReactorReplies.class.getClassLoader());

    private ReactorReplies() {
    }

    /** Whether {@code type} is a Publisher (false when Reactor is absent). */
    static boolean isPublisherType(Class<?> type) {
        return REACTOR_PRESENT && Publisher.class.isAssignableFrom(type);
    }

    /** Whether {@code value} is a Publisher (false when Reactor is absent). */
    static boolean isPublisher(Object value) {
        return REACTOR_PRESENT && value instanceof Publisher<?>;
    }

    static ResolvableType elementType(ResolvableType publisherType) {
        return publisherType.as(Publisher.class).getGeneric(0);
    }

    /**
     * Sends every element of {@code publisher} through {@code sendOne} in order; the stage completes
     * after the last Sent, or fails with the publisher's error or the first failed reply (which
     * cancels the publisher: later replies would arrive out of order).
     */
    static CompletionStage<Void> sendAll(Object publisher, Function<Object, CompletionStage<Void>> sendOne) {
        return Sequential.sendAll(publisher, sendOne);
    }

    /**
     * The code that uses Reactor's types. A class of its own: verifying it loads {@code Mono} and
     * {@code Publisher} (a lambda returning a Mono where a Publisher is expected), which must not
     * happen when the guards above are merely asked whether Reactor is there.
     */
    private static final class Sequential {
        static CompletionStage<Void> sendAll(Object publisher, Function<Object, CompletionStage<Void>> sendOne) {
            return Flux.from((Publisher<?>) publisher)
                    .concatMap(element -> Mono.fromCompletionStage(() -> sendOne.apply(element)), 1)
                    .then()
                    .toFuture();
        }
    }
}
