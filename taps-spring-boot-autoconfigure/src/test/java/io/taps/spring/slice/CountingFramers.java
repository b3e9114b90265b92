package io.taps.spring.slice;

import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.spring.framer.TapsFramer;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A @TapsFramer bean that counts the framers it is asked for. It counts calls, not instances: the
 * built-in length-prefix factory it wraps hands every Connection one shared immutable framer.
 */
@Configuration(proxyBeanMethods = false)
class CountingFramers {
    static final AtomicInteger ASKED = new AtomicInteger();

    @Bean
    @TapsFramer("counting")
    FramerFactory countingFramer() {
        FramerFactory delegate = LengthPrefixFramer.factory(4);
        return () -> {
            ASKED.incrementAndGet();
            return delegate.newFramer();
        };
    }
}
