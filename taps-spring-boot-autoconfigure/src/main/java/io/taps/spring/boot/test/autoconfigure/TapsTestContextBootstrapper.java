package io.taps.spring.boot.test.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/**
 * The test context bootstrapper of {@link TapsTest}: reads its {@code properties}, after
 * {@value #EPHEMERAL_PORTS} so that a test can still set {@code taps.listener.port-override}.
 */
class TapsTestContextBootstrapper extends TestSliceTestContextBootstrapper<TapsTest> {
    static final String EPHEMERAL_PORTS = "taps.listener.port-override=0";

    @Override
    protected String[] getProperties(Class<?> testClass) {
        String[] declared = super.getProperties(testClass);
        List<String> properties = new ArrayList<>();
        properties.add(EPHEMERAL_PORTS);
        if (declared != null) {
            properties.addAll(List.of(declared));
        }
        return properties.toArray(String[]::new);
    }
}
