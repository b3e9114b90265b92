package io.taps.internal.conn;

import io.taps.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The fields of a Connection's {@link Outcomes} and {@link Lifecycle} that most Connections never set, in one object made on first
 * use: an accepted Connection that the peer ends needs none of them, and the seven fields were 24 B
 * of every Connection (issue 21 figure 12).
 */
final class Seldom {
    /*
     * ready() and closed() are futures only once somebody asks for them: until then the outcome
     * is kept in two bits each of the Outcomes (and the failure both share, here), and a future
     * made later is made complete. Two futures were ~50 B of every idle accepted Connection,
     * whose ready() nobody reads and whose closed() only the engine watched (issue 21 item 4).
     * Guarded by the Connection's lock, as is alsoOnClosed.
     */
    CompletableFuture<Connection> readyFuture;
    CompletableFuture<Void> closedFuture;
    Throwable endError;
    /** The end callbacks besides the owner's (the RTT sampler's); a second one joins the first. */
    ConnectionEnd alsoOnClosed;
    // Event loop only.
    Throwable failureCause;
    ScheduledFuture<?> closeTimer;
    Runnable establishmentCanceller;
}
