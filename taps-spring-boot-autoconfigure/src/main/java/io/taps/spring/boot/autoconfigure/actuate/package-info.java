/** The taps actuator endpoint and health indicator. */
@NullMarked
package io.taps.spring.boot.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
