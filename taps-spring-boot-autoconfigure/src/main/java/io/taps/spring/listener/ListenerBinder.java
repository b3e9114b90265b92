package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.convert.RawMessageConverter;
import io.taps.spring.convert.TapsMessageConverters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.util.ClassUtils;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

/**
 * Works out, when a {@link TapsListener} endpoint is registered, everything its Messages need: the
 * content type, the converters of its payload and replies, the validator, its exception handlers
 * (its bean's, then the {@link TapsControllerAdvice} beans') and its error handler, so that a
 * listener that could not serve fails start-up rather than its first Message.
 */
final class ListenerBinder {
    private static final boolean BEAN_VALIDATION_PRESENT = ClassUtils.isPresent("jakarta.validation.Validator",
            ListenerBinder.class.getClassLoader());

    private final TapsProfiles profiles;
    private final TapsListenerErrorHandler defaultErrorHandler;
    private TapsMessageConverters messageConverters = new TapsMessageConverters(List.of(
            RawMessageConverter.byteArray(), RawMessageConverter.byteBuffer(),
            RawMessageConverter.string(StandardCharsets.UTF_8)));
    private @Nullable ApplicationContext applicationContext;
    private @Nullable List<AdviceBean> advice;

    ListenerBinder(TapsProfiles profiles, TapsListenerErrorHandler defaultErrorHandler) {
        this.profiles = profiles;
        this.defaultErrorHandler = defaultErrorHandler;
    }

    void setMessageConverters(TapsMessageConverters messageConverters) {
        this.messageConverters = messageConverters;
    }

    void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    /**
     * Binds the endpoint's handler to the converters in its content type (the annotation's, else the
     * profile's {@code content-type}), the Bean Validation validator when it validates, its exception
     * handlers and error handler: whatever cannot serve fails here, at start-up.
     */
    ListenerBinding bind(TapsListenerEndpoint endpoint, @Nullable ListenerBinding previous) {
        String named = endpoint.contentType() != null ? endpoint.contentType()
                : this.profiles.contentType(endpoint.profile()).orElse(null);
        MimeType contentType;
        try {
            contentType = named == null ? null : MimeTypeUtils.parseMimeType(named);
        }
        catch (InvalidMimeTypeException ex) {
            throw new IllegalStateException("taps listener '" + endpoint.id() + "' has the invalid content type '"
                    + named + "': " + ex.getMessage(), ex);
        }
        HandlerMethod handler = endpoint.handler();
        // Loaded only for a validating handler: its exception type extends jakarta.validation's.
        HandlerMethod.PayloadValidator validator = handler.validates() && BEAN_VALIDATION_PRESENT
                ? BeanValidationPayloadValidator.from(this.applicationContext) : null;
        HandlerMethod.Invoker invoker = handler.bind(this.messageConverters, contentType, validator);
        List<ExceptionHandlerMethods> exceptionHandlers = new ArrayList<>();
        exceptionHandlers.add(ExceptionHandlerMethods.of(endpoint.bean()));
        for (AdviceBean advice : advice()) {
            if (advice.appliesTo(endpoint.id())) {
                exceptionHandlers.add(advice.methods());
            }
        }
        return new ListenerBinding(invoker, new ReplySender(this.messageConverters, contentType),
                new ListenerErrors(exceptionHandlers, errorHandler(endpoint)),
                previous != null ? previous.figures() : new ListenerHandlerFigures(Clock.systemUTC()));
    }

    private TapsListenerErrorHandler errorHandler(TapsListenerEndpoint endpoint) {
        String name = endpoint.errorHandler();
        if (name == null) {
            return this.defaultErrorHandler;
        }
        if (this.applicationContext == null || !this.applicationContext.containsBean(name)) {
            throw new IllegalStateException("@TapsListener(id = \"" + endpoint.id() + "\", errorHandler = \"" + name
                    + "\") names no bean; define a TapsListenerErrorHandler bean called '" + name + "'");
        }
        return this.applicationContext.getBean(name, TapsListenerErrorHandler.class);
    }

    /** A {@link TapsControllerAdvice} bean with its exception handler methods. */
    private record AdviceBean(Set<String> listeners, ExceptionHandlerMethods methods) {
        boolean appliesTo(String id) {
            return this.listeners.isEmpty() || this.listeners.contains(id);
        }
    }

    private synchronized List<AdviceBean> advice() {
        List<AdviceBean> found = this.advice;
        if (found == null) {
            found = new ArrayList<>();
            if (this.applicationContext != null) {
                List<Object> beans = new ArrayList<>(
                        this.applicationContext.getBeansWithAnnotation(TapsControllerAdvice.class).values());
                AnnotationAwareOrderComparator.sort(beans);
                for (Object bean : beans) {
                    TapsControllerAdvice annotation = AnnotatedElementUtils
                        .findMergedAnnotation(AopUtils.getTargetClass(bean), TapsControllerAdvice.class);
                    found.add(new AdviceBean(annotation == null ? Set.of() : Set.of(annotation.listeners()),
                            ExceptionHandlerMethods.of(bean)));
                }
            }
            this.advice = found;
        }
        return found;
    }

}
