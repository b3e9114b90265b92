package io.taps.internal;

import io.taps.Message;
import io.taps.MessageContext;

/**
 * Lets taps' own protocol code build a {@link Message} around an array it owns, and read a
 * Message's bytes without a defensive copy, while the public API only ever hands out copies.
 */
public abstract class MessageAccess {
    private static volatile MessageAccess instance;

    /** Called once by {@link io.taps.TransportServices}' static initializer. */
    public static void install(MessageAccess access) {
        instance = access;
    }

    public static MessageAccess get() {
        MessageAccess access = instance;
        if (access == null) {
            // Loading TransportServices runs its static initializer, which installs the accessor;
            // internal code runs only for a TransportServices, so this is a fallback for tests.
            try {
                Class.forName(io.taps.TransportServices.class.getName(), true, MessageAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = instance;
        }
        return access;
    }

    /** A Message around {@code ownedData}; the caller must never touch the array again. */
    public abstract Message adopt(byte[] ownedData, MessageContext context, boolean endOfMessage);

    /** The Message's backing array; read it, never write it. Null for a borrowed Message. */
    public abstract byte[] array(Message message);

    /**
     * A borrowed Message lent {@code buffer} (taps' own reference to it, which {@link #endLoan}
     * releases): for a Receive made with {@code receiveBorrowedWithEvents}.
     */
    public abstract Message lend(io.netty.buffer.ByteBuf buffer, MessageContext context, boolean endOfMessage);

    /** Makes the calling thread, about to run the Received handler, the one reader of a borrowed {@code message}. */
    public abstract void lendToThisThread(Message message);

    /** Ends the loan of a borrowed {@code message} (releasing its buffer); nothing for any other Message. */
    public abstract void endLoan(Message message);

    /**
     * The bytes of a borrowed {@code message}, checked readable on the calling thread (its
     * handler's), for a Send to copy or retain before the handler returns: not retained here. Null
     * for any other Message (read its {@link #array}).
     */
    public abstract io.netty.buffer.ByteBuf lentBytes(Message message);

    /** {@code context} marked as received as early data (RFC 9622 §9.3.3.2 isEarlyData). */
    public abstract MessageContext earlyData(MessageContext context);

    /**
     * A received context for a link's {@code from} and {@code to} addresses (either may be null),
     * whose endpoints are made only when the application reads them.
     */
    public abstract MessageContext receivedOn(java.net.InetSocketAddress from, java.net.InetSocketAddress to,
            boolean isFinal);
}
