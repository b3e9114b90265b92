package io.taps.spring.boot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test slice for taps (RFC 9622 Listeners and Preconnections in a Spring context): only the taps
 * auto-configuration ({@link AutoConfigureTaps}) and, from component scanning, the beans with
 * {@code @TapsListener}, {@code @TapsConnectionReceived}/{@code @TapsConnectionClosed} or
 * {@code @TapsFramer} methods, {@code @TapsFramer} classes and taps customizers, error handlers and
 * observers. Listeners bind real sockets; give them {@code port = "${...:0}"} and read the port
 * with {@code @LocalTapsPort("id")}.
 *
 * <pre>{@code
 * @TapsTest(properties = "echo.port=0")
 * class EchoTests {
 *     @LocalTapsPort("echo") int port;
 *     @Autowired TransportServices taps;
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(TapsTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(TapsTypeExcludeFilter.class)
@AutoConfigureTaps
@ImportAutoConfiguration
public @interface TapsTest {

    /** Properties in {@code key=value} form to add to the Environment before the test runs. */
    String[] properties() default {};

    /** Whether the default filtering (described on the class) applies to component scanning. */
    boolean useDefaultFilters() default true;

    /** Extra include filters for component scanning. */
    Filter[] includeFilters() default {};

    /** Extra exclude filters for component scanning. */
    Filter[] excludeFilters() default {};

    /** Auto-configuration classes to leave out of this test. */
    @AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
    Class<?>[] excludeAutoConfiguration() default {};
}
