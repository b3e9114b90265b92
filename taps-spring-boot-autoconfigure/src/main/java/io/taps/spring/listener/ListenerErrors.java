package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Where the errors of one listener's Messages go: the {@link TapsExceptionHandler} methods of the
 * handler bean, then those of the {@link TapsControllerAdvice} beans that apply, then the listener's
 * {@link TapsListenerErrorHandler} ({@code @TapsListener(errorHandler = ...)} or the context's).
 */
final class ListenerErrors {
    private final List<ExceptionHandlerMethods> exceptionHandlers;
    private final TapsListenerErrorHandler errorHandler;

    ListenerErrors(List<ExceptionHandlerMethods> exceptionHandlers, TapsListenerErrorHandler errorHandler) {
        this.exceptionHandlers = exceptionHandlers.stream().filter(methods -> !methods.isEmpty()).toList();
        this.errorHandler = errorHandler;
    }

    TapsListenerErrorHandler errorHandler() {
        return this.errorHandler;
    }

    /** The exception handler method for {@code error}: the handler bean's first, then the advice beans'. */
    ExceptionHandlerMethods.@Nullable Match find(Throwable error) {
        for (ExceptionHandlerMethods methods : this.exceptionHandlers) {
            ExceptionHandlerMethods.Match match = methods.find(error);
            if (match != null) {
                return match;
            }
        }
        return null;
    }

    /**
     * Runs the exception handler {@code match} for {@code message}: sends its reply with
     * {@code replies} and completes with the action to take. The method's own exception propagates
     * (synchronously); a failed reply completes the stage with a {@link TapsReplyException}.
     */
    static CompletionStage<TapsErrorAction> runExceptionHandler(ExceptionHandlerMethods.Match match,
            Connection connection, Message message, ReplySender replies) throws Throwable {
        Object result = match.invoke(connection, message);
        if (result instanceof TapsErrorAction action) {
            return CompletableFuture.completedFuture(action);
        }
        TapsErrorAction action = match.action();
        return replies.send(connection, result).thenApply(ignored -> action);
    }
}
