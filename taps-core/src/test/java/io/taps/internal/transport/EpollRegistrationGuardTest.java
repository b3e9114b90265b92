package io.taps.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.EpollIoOps;
import org.junit.jupiter.api.Test;

/** The guard's one rule: an epoll registration is never asked for an empty interest set (issue 13, defect 2). */
class EpollRegistrationGuardTest {

    @Test
    void anEmptyInterestSetBecomesErrorsOnlyEdgeTriggered() {
        EpollIoOps replaced = (EpollIoOps) EpollRegistrationGuard.neverEmpty(EpollIoOps.NONE);
        assertThat(replaced.value()).isNotEqualTo(EpollIoOps.NONE.value());
        assertThat(replaced.contains(EpollIoOps.EPOLLERR)).isTrue();
        assertThat(replaced.contains(EpollIoOps.EPOLLET)).as("a hang-up is reported once, not in a loop").isTrue();
        assertThat(replaced.contains(EpollIoOps.EPOLLIN)).isFalse();
        assertThat(replaced.contains(EpollIoOps.EPOLLOUT)).isFalse();
    }

    @Test
    void aNonEmptyInterestSetPassesUnchanged() {
        EpollIoOps readAndWrite = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT);
        assertThat(EpollRegistrationGuard.neverEmpty(readAndWrite)).isSameAs(readAndWrite);
        assertThat(EpollRegistrationGuard.neverEmpty(EpollIoOps.EPOLLRDHUP)).isSameAs(EpollIoOps.EPOLLRDHUP);
    }
}
