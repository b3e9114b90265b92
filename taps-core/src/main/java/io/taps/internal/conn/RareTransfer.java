package io.taps.internal.conn;

import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.util.Collections;
import java.util.Map;

/**
 * The send and receive state that few Connections ever use, in one object made on first use by
 * {@link SendPath#rareTransfer()}: 0-RTT early data in either direction (RFC 9622 §7.1, §9.3.3.2),
 * Messages sent in parts (§9.2.3), a framer's failure. Five fields of their own were 20 B of every
 * Connection, one reference is 4 (issue 21 figure 12). Event loop only, like the layers using it.
 */
final class RareTransfer {
    /** The InitiateWithSend Message the stack sent as 0-RTT early data, until its Sent is raised. */
    PendingSend sentEarly;
    /** The Message sent in parts whose first part was written and whose last was not (see SendPath). */
    MessageContext openPartial;
    /** Deadlines of Messages sent in parts, by context identity (see SendPath#remainingLifetime). */
    Map<MessageContext, Long> partials = Collections.emptyMap();
    /** A framer's failConnection after Ready: raised once the Messages delivered before it are received. */
    TransportServicesException framingError;
    /** Unframed stream bytes still to deliver that arrived as 0-RTT early data (TCP Fast Open). */
    int earlyBytesLeft;
}
