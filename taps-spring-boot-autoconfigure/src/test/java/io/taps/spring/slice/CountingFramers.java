package io.taps.spring.slice;

import io.taps.framer.Framer;
import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.spring.framer.TapsFramer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A @TapsFramer bean that remembers every framer instance it made. */
@Configuration(proxyBeanMethods = false)
class CountingFramers {
    static final Set<Framer> MADE = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    @Bean
    @TapsFramer("counting")
    FramerFactory countingFramer() {
        FramerFactory delegate = LengthPrefixFramer.factory(4);
        return () -> {
            Framer framer = delegate.newFramer();
            MADE.add(framer);
            return framer;
        };
    }
}
