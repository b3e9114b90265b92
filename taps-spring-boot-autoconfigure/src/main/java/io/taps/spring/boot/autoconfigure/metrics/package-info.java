/** Micrometer meters of taps, recorded through the core TransportObserver hook. */
@NullMarked
package io.taps.spring.boot.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
