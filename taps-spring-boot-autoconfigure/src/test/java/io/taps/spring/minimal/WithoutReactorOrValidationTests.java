package io.taps.spring.minimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Reactor and Jakarta Validation are optional: an application without them on its class path
 * starts (auto-configuration included) and serves {@code @TapsListener} methods with plain
 * payloads, called through a {@code taps.clients} client. The taps classes decide whether Reactor
 * or Validation is present from their own class loader, so hiding them from the context
 * (a {@code FilteredClassLoader}) would prove nothing: the application runs in a class loader made
 * from the test class path without their jars.
 */
class WithoutReactorOrValidationTests {
    private static final Pattern LEFT_OUT = Pattern.compile(
            ".*[/\\\\](reactor-core|jakarta\\.validation-api|hibernate-validator|reactor-netty[^/\\\\]*)[-/\\\\].*");

    @Test
    void startsAndServesPlainPayloadsWithoutReactorAndWithoutJakartaValidation() throws Exception {
        List<URL> kept = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (LEFT_OUT.matcher(entry).matches()) {
                leftOut.add(entry);
            }
            else {
                kept.add(new File(entry).toURI().toURL());
            }
        }
        // The test class path has both (optional dependencies of this module), so this test removes them.
        assertThat(leftOut).anyMatch(entry -> entry.contains("reactor-core"))
            .anyMatch(entry -> entry.contains("jakarta.validation-api"));

        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader without = new URLClassLoader("without-reactor-and-validation", kept.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("reactor.core.publisher.Flux", false, without))
                .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> Class.forName("jakarta.validation.Validator", false, without))
                .isInstanceOf(ClassNotFoundException.class);
            Thread.currentThread().setContextClassLoader(without);
            Class<?> application = Class.forName(MinimalApplication.class.getName(), true, without);
            assertThat(application.getClassLoader()).isSameAs(without);
            @SuppressWarnings("unchecked")
            List<String> replies = (List<String>) application.getMethod("exchange").invoke(null);
            assertThat(replies).containsExactly("text: plain", "[3, 2, 1]", "later: async");
        }
        finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
