package io.taps;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A borrowed {@link Message} (RFC 9622 §9.3.2.1 Received, delivered to a Receive made with
 * {@code receiveBorrowedWithEvents}): its bytes stay in taps' receive buffer instead of an array
 * of their own. They are readable only by the thread running its Received or ReceivedPartial
 * handler (taps names it just before the handler runs) and only until taps ends the loan after the
 * handler returns and releases the buffer. A pooled buffer is reused after that, so a late read
 * must fail rather than show another Connection's bytes. A Send of it copies or retains the bytes
 * ({@link #lentBytes()}) on the sending thread, where they are checked readable.
 *
 * <p>A Message derived with {@link #withContext} or {@link #withEndOfMessage} shares the loan of
 * the one taps delivered (its <em>root</em>), so it ends with it. Two fields serve both kinds: the
 * root holds the buffer and its reader, a derived one only a reference to the root in place of the
 * reader (32 B each, where a field of its own for the root took them to 40: an echo server makes one
 * per Message, issue 21 figure 12).
 */
final class BorrowedMessage extends Message {
    /** Stands in {@link #reader} once the loan ended. */
    private static final Object RETURNED = new Object();

    /** The root's buffer; null in a derived Message, and in the root once the loan ended. */
    private ByteBuf buffer;
    /**
     * The root's reader: null until its handler is about to run (only taps holds it then), then
     * that handler's thread, then {@link #RETURNED}. In a derived Message: its root. Volatile, so
     * that a thread the application passed the Message to without synchronising sees the loan end.
     */
    private volatile Object reader;

    private BorrowedMessage(ByteBuf buffer, BorrowedMessage root, MessageContext context, boolean endOfMessage) {
        super(null, context, endOfMessage);
        this.buffer = buffer;
        this.reader = root;
    }

    /** A Message lent {@code buffer} (taps' own reference, released when the loan ends). */
    static BorrowedMessage lend(ByteBuf buffer, MessageContext context, boolean endOfMessage) {
        return new BorrowedMessage(Objects.requireNonNull(buffer, "buffer"), null, context, endOfMessage);
    }

    /** The Message that holds the buffer and the loan. */
    private BorrowedMessage root() {
        Object lentTo = reader;
        return lentTo instanceof BorrowedMessage ? (BorrowedMessage) lentTo : this;
    }

    /** Names the thread about to run the handler as the one reader. */
    void lendTo(Thread handlerThread) {
        BorrowedMessage root = root();
        if (root.reader != RETURNED) {
            root.reader = handlerThread;
        }
    }

    /** Ends the loan: the buffer is released and every later read throws. Idempotent. */
    void endLoan() {
        BorrowedMessage root = root();
        ByteBuf lent = root.buffer;
        if (lent != null) {
            root.reader = RETURNED;
            root.buffer = null;
            lent.release();
        }
    }

    /** The bytes, checked readable on this thread, for a Send to copy or retain before the loan ends. */
    ByteBuf lentBytes() {
        return readable();
    }

    /** The bytes, if this thread may read them now; else why not. */
    private ByteBuf readable() {
        BorrowedMessage root = root();
        // The loan first (a volatile read), then the buffer it guards.
        Object lentTo = root.reader;
        ByteBuf bytes = lentTo == RETURNED ? null : root.buffer;
        if (bytes == null) {
            throw new IllegalStateException("a borrowed Message can be read only until its Received handler returns;"
                    + " call keep() inside the handler to hold on to the bytes");
        }
        // No reader yet: taps itself reads it (an observer's count) before the handler has it.
        if (lentTo != null && lentTo != Thread.currentThread()) {
            throw new IllegalStateException("a borrowed Message can be read only by the thread running its Received"
                    + " handler (" + lentTo + "), not " + Thread.currentThread() + "; call keep() inside the handler");
        }
        return bytes;
    }

    @Override
    public boolean isBorrowed() {
        return true;
    }

    @Override
    public Message keep() {
        return Message.adopt(bytes(), context(), endOfMessage());
    }

    @Override
    public Message withContext(MessageContext newContext) {
        readable();
        return new BorrowedMessage(null, root(), Objects.requireNonNull(newContext, "context"), endOfMessage());
    }

    @Override
    public Message withEndOfMessage(boolean end) {
        readable();
        return new BorrowedMessage(null, root(), context(), end);
    }

    @Override
    public int length() {
        return readable().readableBytes();
    }

    @Override
    public byte[] bytes() {
        return ByteBufUtil.getBytes(readable());
    }

    /** A read-only view of a copy: a view of the buffer itself would outlive the loan. */
    @Override
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes()).asReadOnlyBuffer();
    }

    @Override
    public String asString() {
        return asString(StandardCharsets.UTF_8);
    }

    @Override
    public String asString(Charset charset) {
        ByteBuf bytes = readable();
        return bytes.toString(bytes.readerIndex(), bytes.readableBytes(), charset);
    }

    @Override
    public boolean contentEquals(Message other) {
        ByteBuf bytes = readable();
        if (other instanceof BorrowedMessage) {
            return ByteBufUtil.equals(bytes, ((BorrowedMessage) other).readable());
        }
        byte[] array = Message.array(other);
        if (array.length != bytes.readableBytes()) {
            return false;
        }
        // Byte by byte, not through a copy: a check of each Message stays free of allocation.
        int start = bytes.readerIndex();
        for (int i = 0; i < array.length; i++) {
            if (bytes.getByte(start + i) != array[i]) {
                return false;
            }
        }
        return true;
    }

    /** Without the length: a log line may be written on any thread, after the loan. */
    @Override
    public String toString() {
        return "Message[borrowed" + (endOfMessage() ? "" : ", partial") + "]";
    }
}
