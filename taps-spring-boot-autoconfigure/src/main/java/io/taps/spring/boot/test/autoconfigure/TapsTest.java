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
 * A test slice for taps (RFC 9622 Listeners and Preconnections in a Spring context).
 *
 * <p><b>What it loads.</b> Only the auto-configurations listed for {@link AutoConfigureTaps}
 * (the taps ones, property placeholders, SSL bundles, lifecycle settings) and, from the
 * component scan of the {@code @SpringBootConfiguration} class found from the test's package, the
 * beans that have {@code @TapsListener}, {@code @TapsConnectionReceived},
 * {@code @TapsConnectionClosed} or {@code @TapsFramer} methods, {@code @TapsFramer} classes, and
 * {@code TransportServicesCustomizer}, {@code TapsListenerErrorHandler} and
 * {@code TapsListenerObserver} beans. Other {@code @Component}s, {@code @Configuration} classes
 * picked up by the scan and the application's other auto-configurations are left out.
 *
 * <p><b>Adding other beans.</b> A handler's collaborators are not loaded by the slice: add them
 * with {@code @Import(MyService.class)} or a nested {@code @TestConfiguration} on the test class,
 * with {@link #includeFilters()}, with {@code @MockitoBean}, or add auto-configurations with
 * {@code @ImportAutoConfiguration}. {@code @SpringBootTest} loads the whole application instead.
 *
 * <p><b>Ports.</b> Listeners bind real sockets. The slice sets
 * {@code taps.listener.port-override=0}, so every listener binds an ephemeral port whatever port it
 * declares, and cached test contexts never collide; read it with
 * {@code @LocalTapsPort("id")} on a field, setter or test-method parameter. Set
 * {@code taps.listener.port-override} in {@link #properties()} to choose otherwise.
 *
 * <pre>{@code
 * @TapsTest
 * @Import(Greetings.class)
 * class EchoTests {
 *     @Autowired TransportServices taps;
 *
 *     @Test
 *     void echoes(@LocalTapsPort("echo") int port) { ... }
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
