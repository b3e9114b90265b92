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

    /**
     * A borrowing Receive (receiveBorrowedWithEvents) keeps that mark through both compact forms:
     * the parked limits' top bit and the Receive's encoded minimum, with its limits intact.
     */
    @Test
    void aBorrowingReceiveStaysBorrowingParkedAndPooled() {
        int packed = WaitingReceives.packed(32766, 65534) | 1 << 31;
        assertThat(WaitingReceives.borrowsOf(packed)).isTrue();
        assertThat(WaitingReceives.minOf(packed)).isEqualTo(32766);
        assertThat(WaitingReceives.maxOf(packed)).isEqualTo(65534);
        assertThat(WaitingReceives.borrowsOf(WaitingReceives.packed(32766, 65534))).isFalse();
        for (int min : new int[] {ReceiveRequest.UNSPECIFIED, 0, 1, 4096}) {
            ReceiveRequest borrowing = new ReceiveRequest(null, min, 100, true, true);
            ReceiveRequest owning = new ReceiveRequest(null, min, 100, true, false);
            assertThat(borrowing.borrows()).isTrue();
            assertThat(owning.borrows()).isFalse();
            assertThat(borrowing.minIncompleteLength()).isEqualTo(min);
            assertThat(owning.minIncompleteLength()).isEqualTo(min);
            borrowing.reuse(null, min, 7, false);
            assertThat(borrowing.borrows()).isFalse();
            assertThat(borrowing.maxLength()).isEqualTo(7);
        }
        assertThat(new ReceiveRequest(null, Integer.MAX_VALUE, 100, true, true).minIncompleteLength())
                .as("a borrowing minimum is capped at the hard cap").isEqualTo((int) ReceivePath.RECEIVE_HARD_CAP);
    }

    @Test
    void limitsThatDoNotFitAreNotParked() {
        assertThat(WaitingReceives.packed(32767, Integer.MAX_VALUE)).isZero();
        assertThat(WaitingReceives.packed(0, 65535)).isZero();
        assertThat(WaitingReceives.packed(0, 1 << 20)).isZero();
        assertThat(WaitingReceives.packed(Integer.MAX_VALUE, Integer.MAX_VALUE)).isZero();
    }
}
