package io.taps.spring.yaml;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application of {@link YamlProfilesTests}. */
@SpringBootApplication
class YamlTestApplication {
}
