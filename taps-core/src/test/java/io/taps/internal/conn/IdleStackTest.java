package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-loop pools' stack: last given back, first taken; never more than its limit. */
class IdleStackTest {
    @Test
    void theObjectGivenBackLastIsTakenFirst() {
        IdleStack<String> stack = new IdleStack<>(8);
        stack.offer("first");
        stack.offer("second");

        assertThat(stack.poll()).isEqualTo("second");
        assertThat(stack.poll()).isEqualTo("first");
        assertThat(stack.poll()).isNull();
        assertThat(stack.size()).isZero();
    }

    @Test
    void keepsAtMostItsLimitAndDropsTheRest() {
        IdleStack<Integer> stack = new IdleStack<>(5);
        for (int i = 0; i < 9; i++) {
            stack.offer(i);
        }

        assertThat(stack.size()).isEqualTo(5);
        assertThat(stack.poll()).as("the fifth kept, the later ones dropped").isEqualTo(4);
        stack.offer(42);
        assertThat(stack.poll()).isEqualTo(42);
        assertThat(stack.size()).isEqualTo(4);
    }
}
