package io.taps.internal.listen;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.blocking.BlockingWork;
import io.taps.properties.Role;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The Security Parameters of a running Listener and their replacement (taps'
 * {@code Listener.updateSecurity}; RFC 9622 §6.3, §7.2): every secure stack the Listener listens
 * on prepares the new parameters (builds its TLS context) off the event loops, and only when all of
 * them could are the prepared contexts swapped in, so new Connections of every stack get the new
 * parameters or, when one stack refuses them, all keep the old ones. Updates are applied one at a
 * time, in the order they start.
 */
final class ListenerSecurity {
    private final Executor blocking;
    private final CompletionStage<?> ready;
    private final Supplier<List<StackShare>> shares;
    private final BooleanSupplier stopping;
    private final Object updating = new Object();
    private volatile PreconnectionSpec spec;

    /**
     * @param spec the Preconnection the Listener was created from
     * @param blocking the system's executor for blocking work, where a TLS context is built when
     *     the update starts on an event loop
     * @param ready the Listener's ready stage: updates wait for it, since stacks bind until then
     * @param shares the stacks' shares of the Listener that are listening now
     * @param stopping whether the Listener is stopping
     */
    ListenerSecurity(PreconnectionSpec spec, Executor blocking, CompletionStage<?> ready,
            Supplier<List<StackShare>> shares, BooleanSupplier stopping) {
        this.spec = spec;
        this.blocking = blocking;
        this.ready = ready;
        this.shares = shares;
        this.stopping = stopping;
    }

    /** Applies {@code security} to the Connections accepted from now on, once the Listener is ready. */
    CompletionStage<Void> update(SecurityParameters security) {
        Objects.requireNonNull(security, "security");
        CompletableFuture<Void> result = new CompletableFuture<>();
        ready.whenComplete((bound, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else if (BlockingWork.onEventLoop()) {
                // Building a TLS context takes milliseconds of CPU; an event loop must not spend them.
                BlockingWork.supply(() -> {
                    apply(security, result);
                    return null;
                }, blocking).exceptionally(rejected -> {
                    result.completeExceptionally(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                            "the Transport Services system is closing: no new Security Parameters", rejected));
                    return null;
                });
            } else {
                apply(security, result);
            }
        });
        return result.minimalCompletionStage();
    }

    private void apply(SecurityParameters security, CompletableFuture<Void> result) {
        try {
            synchronized (updating) {
                replace(security);
            }
        } catch (TransportServicesException refused) {
            result.completeExceptionally(refused);
            return;
        } catch (RuntimeException | LinkageError failure) {
            result.completeExceptionally(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot update the Listener's Security Parameters: " + failure, failure));
            return;
        }
        result.complete(null);
    }

    private void replace(SecurityParameters security) {
        if (stopping.getAsBoolean()) {
            throw new TransportServicesException(ErrorReason.LISTEN_FAILED,
                    "the Listener is stopping or stopped: it accepts no Connection to apply new Security Parameters to");
        }
        PreconnectionSpec current = spec;
        SecurityParameters old = current.security();
        if (security.level() != old.level()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "the security level cannot change"
                    + " from " + old.level() + " to " + security.level() + " while listening: it decided which"
                    + " protocol stacks listen (RFC 9622 §6.3); stop the Listener and Listen again");
        }
        if (!security.allowedProtocols().equals(old.allowedProtocols())) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "the allowed TLS versions cannot"
                    + " change from " + old.allowedProtocols() + " to " + security.allowedProtocols()
                    + " while listening: they decided which protocol stacks listen (design.md Q-17); stop the"
                    + " Listener and Listen again");
        }
        PreconnectionSpec next = new PreconnectionSpec(current.locals(), current.remotes(), current.properties(),
                security, current.framers());
        StackUse use = next.use(Role.LISTEN);
        List<StackShare> listening = shares.get();
        List<Runnable> swaps = new ArrayList<>();
        for (StackShare share : listening) {
            ProtocolStack stack = share.stack();
            if (!stack.capabilities().secure()) {
                continue; // a cleartext stack's flows carry no Security Parameters
            }
            try {
                Optional<String> unusable = stack.unusableReason(use);
                if (unusable.isPresent()) {
                    throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, unusable.get());
                }
                stack.validate(use);
                swaps.add(Objects.requireNonNull(share.prepareSecurityUpdate(security), "prepared update"));
            } catch (TransportServicesException refused) {
                throw new TransportServicesException(refused.reason(), "the " + stack.capabilities().name()
                        + " stack cannot use the new Security Parameters, so none were applied: "
                        + refused.getMessage(), refused);
            }
        }
        swaps.forEach(Runnable::run);
        listening.forEach(share -> share.securityUpdated(use));
        spec = next;
    }
}
