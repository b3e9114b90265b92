package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A parked Receive's limits fit one int (issue 21 figure 12): those that fit come back as they
 * were, and those that do not are never parked (0), so their Receive keeps its object.
 */
class WaitingReceivesTest {

    @Test
    void limitsThatFitComeBackAsTheyWere() {
        int[][] fitting = {{ReceiveRequest.UNSPECIFIED, Integer.MAX_VALUE}, {1, Integer.MAX_VALUE}, {0, 1},
            {32766, 65534}, {4, 4096}};
        for (int[] limits : fitting) {
            int packed = WaitingReceives.packed(limits[0], limits[1]);
            assertThat(packed).as("%s, %s", limits[0], limits[1]).isNotZero();
            assertThat(WaitingReceives.minOf(packed)).isEqualTo(limits[0]);
            assertThat(WaitingReceives.maxOf(packed)).isEqualTo(limits[1]);
        }
    }

    @Test
    void limitsThatDoNotFitAreNotParked() {
        assertThat(WaitingReceives.packed(32767, Integer.MAX_VALUE)).isZero();
        assertThat(WaitingReceives.packed(0, 65535)).isZero();
        assertThat(WaitingReceives.packed(0, 1 << 20)).isZero();
        assertThat(WaitingReceives.packed(Integer.MAX_VALUE, Integer.MAX_VALUE)).isZero();
    }
}
