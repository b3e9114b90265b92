package io.taps.spring.boot.test.autoconfigure;

import io.taps.spring.boot.autoconfigure.TransportServicesCustomizer;
import io.taps.spring.framer.TapsFramer;
import io.taps.spring.listener.TapsConnectionClosed;
import io.taps.spring.listener.TapsConnectionReceived;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerErrorHandler;
import io.taps.spring.listener.TapsListenerObserver;
import java.io.IOException;
import java.util.Set;
import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * The component-scan filter of {@link TapsTest}: keeps the types with taps listener or framer
 * methods, {@link TapsFramer} classes and the taps callback interfaces. Boot's base filter only
 * looks at class-level annotations, so methods are checked here.
 */
final class TapsTypeExcludeFilter extends StandardAnnotationCustomizableTypeExcludeFilter<TapsTest> {
    private static final Set<Class<?>> KNOWN_INCLUDES = Set.of(TransportServicesCustomizer.class,
            TapsListenerErrorHandler.class, TapsListenerObserver.class, TapsFramer.class);

    TapsTypeExcludeFilter(Class<?> testClass) {
        super(testClass);
    }

    @Override
    protected Set<Class<?>> getKnownIncludes() {
        return KNOWN_INCLUDES;
    }

    @Override
    protected boolean defaultInclude(MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory)
            throws IOException {
        if (super.defaultInclude(metadataReader, metadataReaderFactory)) {
            return true;
        }
        AnnotationMetadata metadata = metadataReader.getAnnotationMetadata();
        return metadata.hasAnnotatedMethods(TapsListener.class.getName())
                || metadata.hasAnnotatedMethods(TapsConnectionReceived.class.getName())
                || metadata.hasAnnotatedMethods(TapsConnectionClosed.class.getName())
                || metadata.hasAnnotatedMethods(TapsFramer.class.getName());
    }
}
