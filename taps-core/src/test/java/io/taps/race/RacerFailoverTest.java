package io.taps.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.race.AttemptStarter;
import io.taps.internal.race.Racer;
import io.taps.internal.stack.ChannelStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opportunistic security's cleartext failover in the racing loop (RFC 9622 §6.3, issue 15 item 12),
 * in virtual time: a failover leaf (cleartext TCP after TLS/TCP) never starts on a stagger timer,
 * however long a TLS attempt takes, and starts at once when the last TLS attempt failed.
 */
class RacerFailoverTest {
    final VirtualClock clock = new VirtualClock();
    final List<AttemptStarter.Callbacks> callbacks = new ArrayList<>();
    final List<Leaf> started = new ArrayList<>();
    final List<Leaf> won = new ArrayList<>();
    final List<TransportServicesException> failed = new ArrayList<>();

    Racer<AttemptStarter.Running> racer() {
        Racer<AttemptStarter.Running> racer = new Racer<>(clock, (leaf, cb) -> {
            started.add(leaf);
            callbacks.add(cb);
            return () -> { };
        }, RacingConfig.defaults(), "test", leaf -> !leaf.stack().capabilities().secure(), new Racer.Listener<>() {
            @Override
            public void won(Leaf leaf, AttemptStarter.Running attempt) {
                won.add(leaf);
            }

            @Override
            public void failed(TransportServicesException error) {
                failed.add(error);
            }
        });
        racer.start(Duration.ofSeconds(30));
        return racer;
    }

    static Leaf leaf(io.taps.spi.ProtocolStack stack, String address) throws Exception {
        return new Leaf(LocalPath.DEFAULT, stack, List.of(), new InetSocketAddress(InetAddress.getByName(address), 443),
                "example.test");
    }

    static void fail(AttemptStarter.Callbacks cb) {
        cb.failed(new TransportServicesException(ErrorReason.SECURITY_FAILED, "not TLS"));
    }

    @Test
    void cleartextStartsOnlyAfterEveryTlsAttemptFailed() throws Exception {
        Leaf tls6 = leaf(ChannelStack.TLS_TCP, "2001:db8::1");
        Leaf tls4 = leaf(ChannelStack.TLS_TCP, "198.51.100.1");
        Leaf tcp6 = leaf(ChannelStack.TCP, "2001:db8::1");
        Leaf tcp4 = leaf(ChannelStack.TCP, "198.51.100.1");
        racer().offer(List.of(tls6, tls4, tcp6, tcp4));
        assertThat(started).containsExactly(tls6);
        clock.advanceMillis(250);
        assertThat(started).as("the second TLS leaf is staggered as usual").containsExactly(tls6, tls4);
        clock.advanceMillis(10_000);
        assertThat(started).as("no cleartext while a TLS attempt runs").containsExactly(tls6, tls4);
        fail(callbacks.get(0));
        assertThat(started).as("one TLS attempt still runs").containsExactly(tls6, tls4);
        fail(callbacks.get(1));
        assertThat(started).as("failover at once").containsExactly(tls6, tls4, tcp6);
        clock.advanceMillis(250);
        assertThat(started).as("failover leaves stagger among themselves").containsExactly(tls6, tls4, tcp6, tcp4);
        callbacks.get(3).succeeded();
        assertThat(won).containsExactly(tcp4);
    }

    @Test
    void aTlsWinNeverStartsTheFailover() throws Exception {
        Leaf tls = leaf(ChannelStack.TLS_TCP, "198.51.100.1");
        Leaf tcp = leaf(ChannelStack.TCP, "198.51.100.1");
        racer().offer(List.of(tls, tcp));
        clock.advanceMillis(5_000);
        callbacks.get(0).succeeded();
        clock.advanceMillis(5_000);
        assertThat(started).containsExactly(tls);
        assertThat(won).containsExactly(tls);
        assertThat(failed).isEmpty();
    }
}
