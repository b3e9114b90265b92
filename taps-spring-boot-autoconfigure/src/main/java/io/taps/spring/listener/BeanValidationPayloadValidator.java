package io.taps.spring.listener;

import io.taps.Message;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Arrays;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;

/**
 * Validates {@code @Valid}/{@code @Validated} payloads with the application's Bean Validation
 * {@link Validator} (Boot's {@code defaultValidator} when {@code spring-boot-starter-validation} is
 * present). Loaded only when {@code jakarta.validation} is on the class path.
 */
final class BeanValidationPayloadValidator implements HandlerMethod.PayloadValidator {
    private final Validator validator;

    private BeanValidationPayloadValidator(Validator validator) {
        this.validator = validator;
    }

    /**
     * The validator of {@code beanFactory}, null when it has no unique Validator bean. Call only
     * when {@code jakarta.validation} is on the class path.
     */
    static HandlerMethod.@Nullable PayloadValidator from(@Nullable BeanFactory beanFactory) {
        if (beanFactory == null) {
            return null;
        }
        Validator validator = beanFactory.getBeanProvider(Validator.class).getIfUnique();
        return validator == null ? null : new BeanValidationPayloadValidator(validator);
    }

    @Override
    public void validate(Message raw, Object payload, Object[] hints) {
        Class<?>[] groups = Arrays.stream(hints).filter(Class.class::isInstance).map(Class.class::cast)
                .toArray(Class<?>[]::new);
        Set<ConstraintViolation<Object>> violations = this.validator.validate(payload, groups);
        if (!violations.isEmpty()) {
            throw new TapsPayloadValidationException(raw, payload, violations);
        }
    }
}
