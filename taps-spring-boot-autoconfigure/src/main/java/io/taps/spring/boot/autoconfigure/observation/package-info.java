/** Micrometer Observations of taps establishments and listener message handling. */
@NullMarked
package io.taps.spring.boot.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
