package io.taps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.MessageContext;
import io.taps.properties.MessageProperties;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The received contexts an event loop thread keeps for its links active lately, instead of one
 * kept by every Connection (issue 21 figure 12: 32 B of every idle Connection).
 */
class ReceivedContextsTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 7000);

    @Test
    void aLinkReceivingMessageAfterMessageGetsOneContextAgain() {
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40001);
        MessageContext first = ReceivedContexts.of(remote, LOCAL);
        assertThat(ReceivedContexts.of(remote, LOCAL)).isSameAs(first);
        // An equal address object (not every link hands out the same one) finds it too.
        assertThat(ReceivedContexts.of(new InetSocketAddress("127.0.0.1", 40001), LOCAL)).isSameAs(first);
        assertThat(first.remoteEndpoint().map(endpoint -> endpoint.port().orElse(-1))).contains(40001);
        assertThat(first.localEndpoint().map(endpoint -> endpoint.port().orElse(-1))).contains(7000);
        assertThat(first.isFinal()).isFalse();
    }

    @Test
    void linksWithOtherAddressesOrPropertiesGetContextsOfTheirOwn() {
        InetSocketAddress one = new InetSocketAddress("127.0.0.1", 40002);
        InetSocketAddress other = new InetSocketAddress("127.0.0.1", 40003);
        MessageProperties unreliable = MessageProperties.builder().msgReliable(false).build();
        MessageContext ofOne = ReceivedContexts.of(one, LOCAL);
        MessageContext ofOther = ReceivedContexts.of(other, LOCAL);
        MessageContext unreliableOfOne = ReceivedContexts.of(one, LOCAL, unreliable);
        assertThat(ofOther.remoteEndpoint().map(endpoint -> endpoint.port().orElse(-1))).contains(40003);
        assertThat(unreliableOfOne.properties()).isSameAs(unreliable);
        assertThat(unreliableOfOne.remoteEndpoint()).isEqualTo(ofOne.remoteEndpoint());
        assertThat(ReceivedContexts.of(one, null).localEndpoint()).isEmpty();
    }

    @Test
    void aTableFullOfOtherLinksKeepsAtMostItsSlots() {
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40004);
        MessageContext before = ReceivedContexts.of(remote, LOCAL);
        for (int port = 1; port <= ReceivedContexts.SLOTS * 4; port++) {
            ReceivedContexts.of(new InetSocketAddress("127.0.0.2", port), LOCAL);
        }
        // Its slot was taken: a new context, equal to the one before.
        MessageContext after = ReceivedContexts.of(remote, LOCAL);
        assertThat(after.remoteEndpoint()).isEqualTo(before.remoteEndpoint());
        assertThat(after.localEndpoint()).isEqualTo(before.localEndpoint());
    }

    @Test
    void findingAContextAgainAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40005);
        MessageContext first = ReceivedContexts.of(remote, LOCAL);
        for (int warm = 0; warm < 20_000; warm++) {
            ReceivedContexts.of(remote, LOCAL);
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        MessageContext found = null;
        for (int message = 0; message < 100_000; message++) {
            found = ReceivedContexts.of(remote, LOCAL);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(found).isSameAs(first);
        // 100,000 contexts would be 3.2 MB; the measurement itself may allocate a little.
        assertThat(allocated).as("bytes allocated finding one context 100,000 times").isLessThan(10_000);
    }
}
