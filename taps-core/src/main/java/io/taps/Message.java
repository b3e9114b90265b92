package io.taps;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Message: an ordered unit of bytes sent or received on a {@link Connection} (RFC 9622 §9.1,
 * checklist C-12, O-08), together with the {@link MessageContext} it travels with.
 *
 * <p>A Message is immutable: its bytes are copied in when it is created from a caller's array or
 * buffer and handed out as copies or read-only views, so no party can change data another party
 * already holds (accepted data is never corrupted). A received Message may be one part of a larger
 * Message ({@code ReceivedPartial}, RFC 9622 §9.3.2.2); {@link #endOfMessage()} tells whether it
 * ends that Message.
 *
 * <p>A <em>borrowed</em> Message ({@link #isBorrowed()}) is the exception, for applications that
 * forward or inspect data without keeping it: one delivered to a Receive made with
 * {@link Connection#receiveBorrowedWithEvents} reads taps' receive buffer instead of a copy of it.
 * Its bytes may be read only by the thread running its Received or ReceivedPartial handler and only
 * until that handler returns; after that, or on another thread, every method that reads its bytes
 * throws {@link IllegalStateException}, so a late read can never see another Connection's data in a
 * reused buffer. Sending it from the handler passes the buffer on without a copy; {@link #keep()}
 * gives a Message of its own to keep.
 */
public sealed class Message permits BorrowedMessage {
    private static final byte[] EMPTY = new byte[0];

    private final byte[] data;
    private final MessageContext context;
    private final boolean endOfMessage;

    /** A Message around {@code data} (null for a {@link BorrowedMessage}, whose bytes are elsewhere). */
    Message(byte[] data, MessageContext context, boolean endOfMessage) {
        this.data = data;
        this.context = context;
        this.endOfMessage = endOfMessage;
    }

    /** A complete Message with a copy of {@code data} and a fresh default {@link MessageContext}. */
    public static Message of(byte[] data) {
        return new Message(data.clone(), MessageContext.create(), true);
    }

    /**
     * A complete Message around {@code data} itself, without the copy {@link #of(byte[])} makes:
     * for large or many messages where that copy matters. The caller hands the array over and must
     * not change it afterwards: taps may still be writing it after {@code send} returns, and a
     * change would break the immutability every other factory guarantees.
     */
    public static Message wrap(byte[] data) {
        return new Message(Objects.requireNonNull(data, "data"), MessageContext.create(), true);
    }

    /** A complete Message with the UTF-8 bytes of {@code text}. */
    public static Message of(String text) {
        return new Message(text.getBytes(StandardCharsets.UTF_8), MessageContext.create(), true);
    }

    /** A complete Message with a copy of the remaining bytes of {@code buffer} (its position is not moved). */
    public static Message of(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return new Message(copy, MessageContext.create(), true);
    }

    /** An empty complete Message, for example a Final message that only ends the stream. */
    public static Message empty() {
        return new Message(EMPTY, MessageContext.create(), true);
    }

    /** A Message around {@code ownedData} without a copy: for taps' receive path only (see TransportServices). */
    static Message adopt(byte[] ownedData, MessageContext context, boolean endOfMessage) {
        return new Message(ownedData, context, endOfMessage);
    }

    /** The backing array without a copy: for taps' send path only (see TransportServices); null for a borrowed Message. */
    static byte[] array(Message message) {
        return message.data;
    }

    /**
     * Whether this Message borrows taps' receive buffer (see the class comment): false for every
     * Message an application makes and every one delivered to {@code receive} or
     * {@code receiveWithEvents}.
     */
    public boolean isBorrowed() {
        return false;
    }

    /**
     * A Message the caller may keep: this one itself, or for a borrowed Message an owned copy of its
     * bytes with the same context. Like every read of a borrowed Message, only within its event.
     */
    public Message keep() {
        return this;
    }

    /** The same bytes with another context, for example to send with Message Properties. */
    public Message withContext(MessageContext newContext) {
        return new Message(data, Objects.requireNonNull(newContext, "context"), endOfMessage);
    }

    /**
     * The same bytes marked as a partial ({@code false}) or final ({@code true}) part of the
     * Message its context identifies; parts sent with one context form one Message.
     */
    public Message withEndOfMessage(boolean end) {
        return new Message(data, context, end);
    }

    /** The number of bytes. */
    public int length() {
        return data.length;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return data.clone();
    }

    /** A read-only view of the bytes. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** The bytes decoded as UTF-8. */
    public String asString() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The bytes decoded with {@code charset}. */
    public String asString(Charset charset) {
        return new String(data, charset);
    }

    /** The context this Message was sent or received with. */
    public MessageContext context() {
        return context;
    }

    /**
     * Whether this data ends its Message; false for a ReceivedPartial that more data follows. To
     * know whether the peer's whole stream has arrived, use {@link #endOfStream()}.
     */
    public boolean endOfMessage() {
        return endOfMessage;
    }

    /**
     * Whether this is the last Message the peer will send: its end of stream (a TCP FIN, RFC 9622
     * §9.3.3.3 Final), the one signal to watch for "everything has arrived". Same as
     * {@code context().isFinal()}. {@link #endOfMessage()} is about Message boundaries instead: on
     * a stream without a framer the whole stream is one Message, so only its last part has both.
     */
    public boolean endOfStream() {
        return context.isFinal();
    }

    /** Whether both messages carry the same bytes (contexts are not compared). */
    public boolean contentEquals(Message other) {
        if (other instanceof BorrowedMessage) {
            return other.contentEquals(this);
        }
        return Arrays.equals(data, other.data);
    }

    @Override
    public String toString() {
        return "Message[" + data.length + " bytes" + (endOfMessage ? "" : ", partial") + "]";
    }
}
