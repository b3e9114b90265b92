package io.taps.spring.slice;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application the {@code @TapsTest} slice tests find; the slice filters its component scan. */
@SpringBootApplication
class SliceTestApplication {
}
