package io.taps.spring.client;

import io.taps.Connection;
import io.taps.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One Connection of a client. Messages are sent in call order and one Receive (RFC 9622 §9.3.1) is
 * always outstanding; each received Message answers the oldest request still queued, so replies
 * match requests when the peer answers each one, in order. Keeping a Receive outstanding also
 * notices the peer's end of stream (its final Message, §9.3.3.3) while the client is idle, so the
 * client reconnects before its next call rather than failing it.
 */
final class ClientChannel {
    private static final Log logger = LogFactory.getLog(ClientChannel.class);

    /** Told when the channel can take no more calls. */
    interface Owner {
        /** {@code error}: why, when the Connection failed or was aborted; null when it just ended. */
        void channelLost(ClientChannel channel, @Nullable Throwable error);

        String clientName();
    }

    private final Connection connection;

    private final Owner owner;

    // Guarded by this.
    private final ArrayDeque<ClientCall> awaitingReply = new ArrayDeque<>();

    private int load;

    private boolean lost;

    private boolean closing;

    ClientChannel(Connection connection, Owner owner) {
        this.connection = connection;
        this.owner = owner;
    }

    Connection connection() {
        return this.connection;
    }

    /** Starts receiving and watching the Connection's end. */
    void start() {
        this.connection.closed().whenComplete((ok, failure) -> lose("the Connection closed", failure));
        receiveNext();
    }

    /** Calls handed to this channel and not finished here yet. */
    synchronized int load() {
        return this.load;
    }

    /** Sends {@code call}'s Message; false when the channel takes no more calls. */
    boolean submit(ClientCall call) {
        CompletionStage<?> sent;
        synchronized (this) {
            if (this.lost || this.closing) {
                return false;
            }
            if (call.expectsReply()) {
                this.awaitingReply.add(call);
            }
            this.load++;
            call.channel = this;
            // Under the lock, so the order on the wire is the order of awaitingReply.
            sent = this.connection.send(call.message);
        }
        sent.whenComplete((context, failure) -> {
            if (failure != null) {
                // A request that was never sent gets no reply: the queue no longer matches the
                // stream, so the Connection goes (its calls fail typed) and a new one is made.
                call.fail(new TapsClientConnectionException(this.owner.clientName(),
                        "the Message was not sent: " + failure.getMessage(), failure));
                abort("a Message was not sent", failure);
            }
            else if (!call.expectsReply()) {
                synchronized (this) {
                    this.load--;
                }
                call.result.complete(null);
            }
        });
        return true;
    }

    private void receiveNext() {
        this.connection.receive().whenComplete(this::received);
    }

    private void received(@Nullable Message message, @Nullable Throwable failure) {
        if (failure != null || message == null) {
            lose("receiving failed", failure);
            return;
        }
        boolean endOfStream = message.context().isFinal();
        if (!message.endOfMessage()) {
            ClientCall head;
            synchronized (this) {
                head = this.awaitingReply.poll();
            }
            TapsClientException notWhole = new TapsClientException(this.owner.clientName(),
                    "the reply is not a whole Message (" + message.length() + " bytes of a Message without its end);"
                            + " give the profile a Message Framer (taps.profiles.<name>.framers) or use a"
                            + " message-preserving stack", null);
            if (head != null) {
                head.fail(notWhole);
            }
            abort("a reply was not a whole Message", notWhole);
            return;
        }
        ClientCall head = null;
        boolean closeNow = false;
        if (!(endOfStream && message.length() == 0)) {
            synchronized (this) {
                head = this.awaitingReply.poll();
                if (head != null) {
                    this.load--;
                }
                closeNow = this.closing && this.awaitingReply.isEmpty();
            }
            if (head != null) {
                head.replied(message);
            }
            else {
                logger.warn("taps client '" + this.owner.clientName() + "': dropped a Message of " + message.length()
                        + " bytes that answers no request");
            }
        }
        if (endOfStream) {
            lose("the peer ended the Connection", null);
            this.connection.close();
            return;
        }
        if (closeNow) {
            this.connection.close();
        }
        receiveNext();
    }

    /**
     * After {@code call} timed out: if its reply has still not come within {@code grace}, the peer
     * is not answering in order any more, so the Connection is aborted before a later reply can be
     * matched to the wrong request.
     */
    void checkLateReply(ClientCall call, java.time.Duration grace) {
        boolean stillWaiting;
        synchronized (this) {
            stillWaiting = !this.lost && this.awaitingReply.contains(call);
        }
        if (stillWaiting) {
            abort("the reply to a request that timed out did not come within a further " + grace, null);
        }
    }

    /** Closes the Connection once every reply it awaits has come; takes no new calls. */
    CompletionStage<Void> closeGracefully() {
        boolean idle;
        synchronized (this) {
            this.closing = true;
            idle = this.awaitingReply.isEmpty();
        }
        if (idle) {
            this.connection.close();
        }
        return this.connection.closed();
    }

    void abort(String why, @Nullable Throwable cause) {
        lose(why, cause, cause != null ? cause : new TapsClientConnectionException(this.owner.clientName(),
                "the Connection was aborted: " + why, null));
        this.connection.abort();
    }

    private void lose(String why, @Nullable Throwable cause) {
        lose(why, cause, cause);
    }

    private void lose(String why, @Nullable Throwable cause, @Nullable Throwable error) {
        List<ClientCall> failed;
        synchronized (this) {
            if (this.lost) {
                return;
            }
            this.lost = true;
            failed = new ArrayList<>(this.awaitingReply);
            this.awaitingReply.clear();
        }
        if (logger.isDebugEnabled()) {
            logger.debug("taps client '" + this.owner.clientName() + "': " + why + " (" + failed.size()
                    + " request(s) without a reply)", cause);
        }
        for (ClientCall call : failed) {
            call.fail(new TapsClientConnectionException(this.owner.clientName(),
                    why + " while the request awaited its reply", cause));
        }
        this.owner.channelLost(this, error);
    }
}
