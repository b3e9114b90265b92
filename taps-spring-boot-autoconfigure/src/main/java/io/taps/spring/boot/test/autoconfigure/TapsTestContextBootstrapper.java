package io.taps.spring.boot.test.autoconfigure;

import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/** The test context bootstrapper of {@link TapsTest} (reads its {@code properties}). */
class TapsTestContextBootstrapper extends TestSliceTestContextBootstrapper<TapsTest> {
}
