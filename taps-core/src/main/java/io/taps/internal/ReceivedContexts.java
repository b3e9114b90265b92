package io.taps.internal;

import io.netty.util.concurrent.FastThreadLocal;
import io.taps.MessageContext;
import io.taps.properties.MessageProperties;
import java.net.InetSocketAddress;

/**
 * The contexts of Messages received on connected links, kept per event loop thread for the links
 * that were active lately rather than one per Connection: a received Message's context holds the
 * link's two addresses, which never change, so one context serves all of a link's Messages; kept by
 * every Connection, that context was 32 B of each idle one (issue 21 figure 12: an echo server holds
 * thousands of Connections that received a few Messages long ago).
 *
 * <p>A table of {@value #SLOTS} contexts, found by the link's two addresses (compared by value, as
 * not every link hands out the same address object each time): a link receiving Message after
 * Message finds its context again and makes none, so the steady receive path allocates nothing
 * more than before. A link whose slot another link took since makes a new one (32 B), equal to its
 * earlier ones but not the same object. The table keeps at most {@value #SLOTS} contexts and their
 * addresses alive per thread. Each thread has its own table.
 */
public final class ReceivedContexts {
    /** Contexts kept per thread: a power of two. */
    static final int SLOTS = 256;
    private static final MessageAccess MESSAGES = MessageAccess.get();
    /** Per slot: the remote address, the local address, then the context made for them. */
    private static final FastThreadLocal<Object[]> TABLES = new FastThreadLocal<>() {
        @Override
        protected Object[] initialValue() {
            return new Object[SLOTS * 3];
        }
    };

    private ReceivedContexts() {
    }

    /**
     * The context of a Message received from {@code from} at {@code to} (either may be null), with
     * {@code properties} (the empty ones, or those of an unreliable link, each one shared object);
     * the one made before for the same address objects while it is still in this thread's table.
     */
    public static MessageContext of(InetSocketAddress from, InetSocketAddress to, MessageProperties properties) {
        Object[] table = TABLES.get();
        int at = slot(from, to) * 3;
        Object kept = table[at + 2];
        if (kept != null && same(table[at], from) && same(table[at + 1], to)
                && ((MessageContext) kept).properties() == properties) {
            return (MessageContext) kept;
        }
        MessageContext made = MESSAGES.receivedOn(from, to, false);
        if (properties != made.properties()) {
            made = made.withProperties(properties);
        }
        table[at] = from;
        table[at + 1] = to;
        table[at + 2] = made;
        return made;
    }

    /** {@link #of(InetSocketAddress, InetSocketAddress, MessageProperties)} with no Message Properties. */
    public static MessageContext of(InetSocketAddress from, InetSocketAddress to) {
        return of(from, to, MessageProperties.empty());
    }

    private static boolean same(Object kept, InetSocketAddress address) {
        return kept == address || address != null && address.equals(kept);
    }

    private static int slot(Object from, Object to) {
        int hash = java.util.Objects.hashCode(from) * 31 + java.util.Objects.hashCode(to);
        return (hash ^ hash >>> 16) & (SLOTS - 1);
    }
}
