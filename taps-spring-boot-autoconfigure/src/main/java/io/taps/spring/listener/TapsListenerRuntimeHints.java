package io.taps.spring.listener;

import io.taps.TransportServices;
import java.util.List;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * Runtime hints (native images, AOT) for what taps looks up reflectively beyond the handler methods
 * themselves, which {@code @TapsListener}, {@code @TapsConnectionReceived} and
 * {@code @TapsConnectionClosed} already declare {@code @Reflective}: the JDK 21+
 * {@code Executors.newVirtualThreadPerTaskExecutor} the handler executor finds by name (taps is
 * built for JDK 17), and {@link TransportServices}, which the core loads by name to install its
 * internal accessors. Registered in {@code META-INF/spring/aot.factories}.
 */
public final class TapsListenerRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        // By name: the method does not exist on JDK 17, where this registrar runs too.
        hints.reflection()
            .registerType(TypeReference.of(Executors.class),
                    type -> type.withMethod("newVirtualThreadPerTaskExecutor", List.of(), ExecutableMode.INVOKE));
        hints.reflection().registerType(TransportServices.class);
    }
}
