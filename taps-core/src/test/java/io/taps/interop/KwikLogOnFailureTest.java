package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tech.kwik.core.QuicClientConnection;

/**
 * A failed test against Kwik carries what Kwik saw: here a Kwik client whose server never answers
 * (a UDP socket that reads nothing) gives up on its handshake, and the failure that follows gets the
 * client's log, naming the Initial packets it sent ("I|"), as a suppressed exception.
 */
class KwikLogOnFailureTest {
    @Test
    void aFailureCarriesTheLogOfEachKwikEndpointOfTheTest() throws Exception {
        KwikRecentLog.startTest();
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            QuicClientConnection kwik = QuicClientConnection.newBuilder()
                    .logger(KwikRecentLog.forEndpoint("client"))
                    .uri(URI.create("https://localhost:" + silent.getLocalPort())).preferIPv4()
                    .applicationProtocol(QuicStreamEndTest.ALPN).connectTimeout(Duration.ofMillis(500)).build();
            assertThatThrownBy(kwik::connect).isInstanceOf(java.io.IOException.class);
        }
        AssertionError failure = new AssertionError("the test's own failure");

        assertThatThrownBy(() -> new KwikLogOnFailure().handleTestExecutionException(null, failure)).isSameAs(failure);
        assertThat(failure.getSuppressed()).hasSize(1);
        assertThat(failure.getSuppressed()[0]).hasMessageStartingWith("Kwik client").hasMessageContaining("sent Packet I|");
    }

    @Test
    void aLogKeepsItsLastLinesOnly() {
        KwikRecentLog log = KwikRecentLog.forEndpoint("server");
        for (int i = 0; i < KwikRecentLog.LINES + 10; i++) {
            log.info("line " + i);
        }
        String text = log.text();
        assertThat(text.lines()).hasSize(KwikRecentLog.LINES);
        assertThat(text).doesNotContain("line 9\n").contains("line 10\n").endsWith("line " + (KwikRecentLog.LINES + 9));
    }
}
