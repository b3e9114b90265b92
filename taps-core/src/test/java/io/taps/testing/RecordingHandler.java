package io.taps.testing;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event of a Connection, in the order delivered, for assertions on RFC 9622 §11 order. */
public class RecordingHandler implements ConnectionEventHandler {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final List<TransportServicesException> errors = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Void> terminal = new CompletableFuture<>();
    private final boolean keepsMessages;

    public RecordingHandler() {
        this(true);
    }

    private RecordingHandler(boolean keepsMessages) {
        this.keepsMessages = keepsMessages;
    }

    /**
     * A handler that records the events but keeps no received Message, for transfers too large to
     * hold in memory (the interop suite's 100 MB each way).
     */
    public static RecordingHandler eventsOnly() {
        return new RecordingHandler(false);
    }

    public List<String> events() {
        return new ArrayList<>(events);
    }

    public List<Message> received() {
        return new ArrayList<>(received);
    }

    public List<TransportServicesException> errors() {
        return new ArrayList<>(errors);
    }

    @Override
    public void ready(Connection connection) {
        events.add("Ready");
    }

    @Override
    public void establishmentError(Connection connection, TransportServicesException error) {
        events.add("EstablishmentError:" + error.reason().rfcName());
        errors.add(error);
        terminal.complete(null);
    }

    @Override
    public void connectionError(Connection connection, TransportServicesException error) {
        events.add("ConnectionError:" + error.reason().rfcName());
        errors.add(error);
        terminal.complete(null);
    }

    @Override
    public void closed(Connection connection) {
        events.add("Closed");
        terminal.complete(null);
    }

    @Override
    public void sent(Connection connection, MessageContext context) {
        events.add("Sent");
    }

    @Override
    public void expired(Connection connection, MessageContext context) {
        events.add("Expired");
    }

    @Override
    public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
        events.add("SendError:" + error.reason().rfcName());
        errors.add(error);
    }

    @Override
    public void received(Connection connection, Message message) {
        events.add("Received");
        keep(message);
    }

    @Override
    public void receivedPartial(Connection connection, Message message) {
        events.add(message.endOfMessage() ? "ReceivedPartial(end)" : "ReceivedPartial");
        keep(message);
    }

    @Override
    public void receiveError(Connection connection, MessageContext context, TransportServicesException error) {
        events.add("ReceiveError:" + error.reason().rfcName());
        errors.add(error);
    }

    @Override
    public void softError(Connection connection, TransportServicesException error) {
        events.add("SoftError");
    }

    @Override
    public void cloneError(Connection connection, TransportServicesException error) {
        events.add("CloneError:" + error.reason().rfcName());
        errors.add(error);
    }

    private void keep(Message message) {
        if (keepsMessages) {
            received.add(message);
        }
    }
}
