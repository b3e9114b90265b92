package io.taps.spring.framers;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application of {@link FramerOptionsTests}. */
@SpringBootApplication
class FramerTestApplication {
}
