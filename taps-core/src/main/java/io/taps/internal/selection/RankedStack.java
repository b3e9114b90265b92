package io.taps.internal.selection;

import io.taps.spi.StackCapabilities;
import java.util.Objects;

/**
 * One stack that survived Require/Prohibit filtering, with the scores that ordered it
 * (RFC 9623 §4.1.3, SEL-02).
 *
 * @param stack the stack as declared (not the framer-adjusted view)
 * @param preferScore how many Prefer properties the stack can provide
 * @param avoidScore how many Avoid properties the stack can do without
 */
public record RankedStack(StackCapabilities stack, int preferScore, int avoidScore) {
    /** Rejects a null stack. */
    public RankedStack {
        Objects.requireNonNull(stack, "stack");
    }
}
