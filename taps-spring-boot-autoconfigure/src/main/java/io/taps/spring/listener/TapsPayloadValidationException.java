package io.taps.spring.listener;

import io.taps.Message;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The payload of a Message failed Bean Validation: the {@link TapsListener} method's parameter is
 * annotated {@code @Valid} or {@code @Validated} and the application's
 * {@link jakarta.validation.Validator} found constraint violations. The handler method was not
 * called. A {@link ConstraintViolationException}, so handlers written for Bean Validation catch it;
 * it adds the raw Message and the converted payload.
 */
public class TapsPayloadValidationException extends ConstraintViolationException {
    private static final long serialVersionUID = 1L;

    private final transient Message rawMessage;

    private final transient Object payload;

    public TapsPayloadValidationException(Message rawMessage, Object payload,
            Set<? extends ConstraintViolation<?>> violations) {
        super(describe(payload, violations), violations);
        this.rawMessage = rawMessage;
        this.payload = payload;
    }

    private static String describe(Object payload, Set<? extends ConstraintViolation<?>> violations) {
        return "the " + payload.getClass().getSimpleName() + " payload is not valid: " + violations.stream()
                .map(violation -> violation.getPropertyPath() + " " + violation.getMessage())
                .sorted()
                .collect(Collectors.joining(", "));
    }

    /** The Message as it arrived. */
    public Message getRawMessage() {
        return this.rawMessage;
    }

    /** The converted payload that failed validation. */
    public @Nullable Object getPayload() {
        return this.payload;
    }
}
