package io.taps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Message construction and views (RFC 9622 §9.1): copying factories, the hand-over factory, read-only views. */
class MessageTest {

    @Test
    void ofCopiesTheCallersArray() {
        byte[] data = "abc".getBytes(StandardCharsets.US_ASCII);
        Message message = Message.of(data);
        data[0] = 'x';
        assertThat(message.asString()).isEqualTo("abc");
    }

    @Test
    void wrapTakesTheArrayOverWithoutCopying() {
        byte[] data = "abc".getBytes(StandardCharsets.US_ASCII);
        Message message = Message.wrap(data);
        // Documented: the caller hands the array over; a later change shows through.
        data[0] = 'x';
        assertThat(message.asString()).isEqualTo("xbc");
        assertThat(message.endOfMessage()).isTrue();
        assertThat(message.length()).isEqualTo(3);
        assertThatThrownBy(() -> Message.wrap(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void viewsNeverExposeTheBackingArray() {
        Message message = Message.wrap(new byte[] {1, 2, 3});
        byte[] copy = message.bytes();
        copy[0] = 9;
        assertThat(message.bytes()).containsExactly(1, 2, 3);
        ByteBuffer view = message.asByteBuffer();
        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.remaining()).isEqualTo(3);
    }
}
