package io.taps.spring.boot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Imports the taps auto-configuration into a test, for slices other than {@link TapsTest}; the list
 * is {@code META-INF/spring/io.taps.spring.boot.test.autoconfigure.AutoConfigureTaps.imports}
 * (the taps auto-configurations plus property placeholders, SSL bundles and lifecycle settings),
 * and other modules may add to it with a file of the same name.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
public @interface AutoConfigureTaps {
}
