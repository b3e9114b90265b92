/** Test support for taps in Spring Boot: the {@code @TapsTest} slice and {@code @AutoConfigureTaps}. */
@NullMarked
package io.taps.spring.boot.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
