package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stack.StackKind;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.spi.StackCapabilities;
import org.junit.jupiter.api.Test;

/** The send admission policy (RFC 9622 §9.2) as a pure function, one rule per case. */
class SendAdmissionTest {
    private static final MessageProperties DEFAULTS = MessageProperties.empty();
    private static final StackCapabilities TCP = StackKind.TCP.capabilities();
    private static final StackCapabilities UDP = StackKind.UDP.capabilities();

    private static SendAdmission.Sender established(StackCapabilities stack, boolean byteStream, int max) {
        return new SendAdmission.Sender(false, false, Direction.BIDIRECTIONAL, stack, byteStream, max);
    }

    private static ErrorReason reason(TransportServicesException refusal) {
        return refusal == null ? null : refusal.reason();
    }

    @Test
    void anOrdinarySendOnAnEstablishedStreamIsAdmitted() {
        assertThat(SendAdmission.refusal(established(TCP, true, -1), 1 << 20, DEFAULTS, true)).isNull();
    }

    @Test
    void whileEstablishingOnlyTheConnectionsOwnStateIsChecked() {
        SendAdmission.Sender establishing = new SendAdmission.Sender(false, false, Direction.BIDIRECTIONAL, null,
                true, -1);
        assertThat(SendAdmission.refusal(establishing, 10, DEFAULTS, false)).isNull();
    }

    @Test
    void nothingFollowsAFinalMessage() {
        SendAdmission.Sender sender = new SendAdmission.Sender(true, false, Direction.BIDIRECTIONAL, TCP, true, -1);
        assertThat(reason(SendAdmission.refusal(sender, 1, DEFAULTS, true))).isEqualTo(ErrorReason.FINAL_MESSAGE_SENT);
    }

    @Test
    void nothingIsSentOnceCloseWasCalled() {
        SendAdmission.Sender sender = new SendAdmission.Sender(false, true, Direction.BIDIRECTIONAL, TCP, true, -1);
        assertThat(reason(SendAdmission.refusal(sender, 1, DEFAULTS, true))).isEqualTo(ErrorReason.CONNECTION_CLOSED);
    }

    @Test
    void aReceiveOnlyConnectionCannotSend() {
        SendAdmission.Sender sender = new SendAdmission.Sender(false, false, Direction.UNIDIRECTIONAL_RECEIVE, TCP,
                true, -1);
        assertThat(reason(SendAdmission.refusal(sender, 1, DEFAULTS, true)))
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }

    @Test
    void aMessageLargerThanTheLinkCarriesIsTooLarge() {
        MessageProperties replayable = MessageProperties.builder().set(Property.SAFELY_REPLAYABLE, true).build();
        assertThat(SendAdmission.refusal(established(UDP, false, 1200), 1200, replayable, true)).isNull();
        assertThat(reason(SendAdmission.refusal(established(UDP, false, 1200), 1201, replayable, true)))
                .isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
    }

    @Test
    void datagramsAreWholeAndSafelyReplayable() {
        MessageProperties replayable = MessageProperties.builder().set(Property.SAFELY_REPLAYABLE, true).build();
        assertThat(reason(SendAdmission.refusal(established(UDP, false, 1200), 10, replayable, false)))
                .isEqualTo(ErrorReason.INVALID_MESSAGE_PROPERTIES);
        assertThat(reason(SendAdmission.refusal(established(UDP, false, 1200), 10, DEFAULTS, true)))
                .isEqualTo(ErrorReason.INVALID_MESSAGE_PROPERTIES);
    }

    @Test
    void perMessageReliabilityNeedsAStackThatOffersIt() {
        MessageProperties unreliable = MessageProperties.builder().set(Property.MSG_RELIABLE, false).build();
        assertThat(reason(SendAdmission.refusal(established(TCP, true, -1), 10, unreliable, true)))
                .isEqualTo(ErrorReason.INVALID_MESSAGE_PROPERTIES);
        MessageProperties reliable = MessageProperties.builder().set(Property.MSG_RELIABLE, true).build();
        assertThat(SendAdmission.refusal(established(TCP, true, -1), 10, reliable, true)).isNull();
    }

    @Test
    void theQueueTakesMoreOnlyWithinItsLimit() {
        assertThat(SendAdmission.queueRefusal(Limit.of(100), 60, 40)).isNull();
        assertThat(reason(SendAdmission.queueRefusal(Limit.of(100), 60, 41))).isEqualTo(ErrorReason.SEND_QUEUE_FULL);
        assertThat(SendAdmission.queueRefusal(Limit.UNLIMITED, Long.MAX_VALUE / 2, Integer.MAX_VALUE)).isNull();
    }
}
