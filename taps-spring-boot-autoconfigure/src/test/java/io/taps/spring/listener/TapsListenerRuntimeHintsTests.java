package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.TransportServices;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeHint;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

/** The runtime hints taps contributes, loaded the way Spring AOT loads them. */
class TapsListenerRuntimeHintsTests {

    private static RuntimeHints registeredHints() {
        RuntimeHints hints = new RuntimeHints();
        AotServices.factories().load(RuntimeHintsRegistrar.class)
            .forEach(registrar -> registrar.registerHints(hints, TapsListenerRuntimeHintsTests.class.getClassLoader()));
        return hints;
    }

    @Test
    void aotFactoriesRegisterTheRegistrar() {
        assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
            .hasAtLeastOneElementOfType(TapsListenerRuntimeHints.class);
    }

    @Test
    void theVirtualThreadExecutorFactoryFoundByNameCanBeInvoked() {
        TypeHint executors = registeredHints().reflection().getTypeHint(Executors.class);
        assertThat(executors).isNotNull();
        assertThat(executors.methods()).anySatisfy(method -> {
            assertThat(method.getName()).isEqualTo("newVirtualThreadPerTaskExecutor");
            assertThat(method.getParameterTypes()).isEmpty();
            assertThat(method.getMode()).isEqualTo(ExecutableMode.INVOKE);
        });
        if (Runtime.version().feature() >= 21) {
            assertThat(RuntimeHintsPredicates.reflection()
                .onMethodInvocation(Executors.class, "newVirtualThreadPerTaskExecutor")).accepts(registeredHints());
        }
    }

    @Test
    void transportServicesLoadedByNameIsRegistered() {
        assertThat(RuntimeHintsPredicates.reflection().onType(TransportServices.class)).accepts(registeredHints());
    }

    @Test
    void handlerMethodsAreInvocableThroughTheirReflectiveAnnotations() {
        RuntimeHints hints = new RuntimeHints();
        new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, Handlers.class);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "echo")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "received")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "closed")).accepts(hints);
    }

    record Order(String id, Item item) {
    }

    record Item(String name) {
    }

    record Receipt(String orderId) {
    }

    record Problem(String detail) {
    }

    static class TypedHandlers {
        @TapsListener(id = "orders", port = "0")
        java.util.concurrent.CompletionStage<Receipt> order(Order order, io.taps.Connection connection) {
            return java.util.concurrent.CompletableFuture.completedFuture(new Receipt(order.id()));
        }

        @TapsExceptionHandler
        Problem failed(IllegalStateException ex) {
            return new Problem(ex.getMessage());
        }
    }

    @Test
    void payloadAndReplyTypesAreRegisteredForJsonBinding() {
        RuntimeHints hints = new RuntimeHints();
        new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, TypedHandlers.class);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TypedHandlers.class, "order")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TypedHandlers.class, "failed")).accepts(hints);
        for (Class<?> type : new Class<?>[] { Order.class, Item.class, Receipt.class, Problem.class }) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getSimpleName()).accepts(hints);
        }
        assertThat(hints.reflection().getTypeHint(io.taps.Connection.class)).isNull();
    }

    static class Handlers {
        @TapsListener(id = "echo", port = "0")
        String echo(String text) {
            return text;
        }

        @TapsConnectionReceived("echo")
        void received(io.taps.Connection connection) {
        }

        @TapsConnectionClosed("echo")
        void closed(io.taps.Connection connection) {
        }
    }
}
