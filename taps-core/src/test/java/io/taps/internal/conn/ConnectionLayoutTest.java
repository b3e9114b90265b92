package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.ConnectionHandler;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the objects of every accepted Connection keep (issue 21 figure 12, session 18): side objects
 * folded into the ones that exist, flags in bits, rarely used fields in objects made on first use.
 * Each assertion is a field layout the heap histogram measured (bytes per echoing Connection in
 * brackets); {@code PropertyStoreSharingTest} covers the shared property store.
 */
class ConnectionLayoutTest {

    private static List<Field> instanceFields(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields()).filter(field -> !Modifier.isStatic(field.getModifiers()))
                .toList();
    }

    private static List<String> names(List<Field> fields) {
        return fields.stream().map(Field::getName).toList();
    }

    private static List<String> ofType(Class<?> owner, Class<?> type) {
        return names(instanceFields(owner).stream().filter(field -> field.getType() == type).toList());
    }

    @Test
    void theIdleTimerIsFieldsOfTheConnectionNotAnObject() {
        // IdleTimer 40 B -> 0: its place in the sweep is the Connection's (TransferCounters).
        assertThat(instanceFields(IdleTimer.class)).as("IdleTimer keeps nothing per Connection").isEmpty();
        for (Class<?> part : List.of(TapsConnection.class, TransferCounters.class, EventDispatcher.class)) {
            assertThat(ofType(part, IdleTimer.class)).isEmpty();
        }
        assertThat(names(instanceFields(TransferCounters.class))).contains("idlePrevious", "idleNext", "idleSweep",
                "idleSample");
        assertThat(ofType(TransferCounters.class, int.class)).as("the quiet samples ride in idleSample's low bits")
                .isEmpty();
    }

    @Test
    void theConnectionKeepsNoReadyInstantNorAcceptedStackName() {
        // TapsConnection 216 -> 200 B with the idle fields in.
        assertThat(names(instanceFields(TransferCounters.class)))
                .as("Ready's wall clock, Ready's monotonic mark then the lifetime: two longs, not three")
                .contains("readyWall", "readyMark").doesNotContain("readyAtEpochNanos", "readyNanos", "closedNanos");
        assertThat(names(instanceFields(TapsConnection.class))).as("the stack's name is the stack's")
                .doesNotContain("acceptedStackName", "idleTimer");
        // 200 -> 192 B: the accepted report's parts wait in the report's own field (AcceptedReport).
        assertThat(names(instanceFields(TapsConnection.class))).doesNotContain("acceptedRemote", "acceptedNotes");
        // 192 -> 176 B: what it makes only when asked for waits in one object made on first use.
        assertThat(names(instanceFields(TapsConnection.class))).contains("extras")
                .doesNotContain("endpoints", "messages", "group", "cloneSupport", "framerFactories");
    }

    @Test
    void theLifecycleKeepsWhatFewConnectionsUseInAnObjectMadeOnFirstUse() {
        // Lifecycle 64 -> 40 B: Seldom. Session 19: the outcomes and their Seldom a layer below it (Outcomes).
        List<Field> fields = new java.util.ArrayList<>(instanceFields(Lifecycle.class));
        fields.addAll(instanceFields(Outcomes.class));
        assertThat(names(fields)).doesNotContain("readyFuture", "closedFuture", "endError", "alsoOnClosed",
                "failureCause", "closeTimer", "establishmentCanceller").contains("seldom");
        long references = fields.stream().filter(field -> !field.getType().isPrimitive()).count();
        // Session 20: the owner's end callback is a bit of the outcomes (ConnectionOwner).
        assertThat(references).as("seldom, onTerminated (no Connection: it is one)").isEqualTo(2);
        // 40 -> 32 B: the state as its ordinal, both outcomes in one byte, the loop's flags in one.
        assertThat(ofType(Lifecycle.class, byte.class)).containsExactlyInAnyOrder("state", "flags");
        assertThat(ofType(Outcomes.class, byte.class)).containsExactly("outcomes");
        assertThat(ofType(Lifecycle.class, boolean.class)).as("only the volatile one read off the loop")
                .containsExactly("closeRequested");
    }

    @Test
    void theConnectionsPartsAreLayersOfOneObject() {
        // Session 19: TapsConnection 176 + ReceivePath 80 + SendPath 64 + Lifecycle 32 B were four
        // objects, each with a header, a reference to the Connection and one from it.
        List<Class<?>> chain = new java.util.ArrayList<>();
        for (Class<?> type = TapsConnection.class; type != Object.class; type = type.getSuperclass()) {
            chain.add(type);
        }
        assertThat(chain).containsExactly(TapsConnection.class, ReceivePath.class, WaitingReceives.class,
                InboundQueue.class, SendPath.class, SendQueue.class, Lifecycle.class, Outcomes.class,
                TransferCounters.class, EventDispatcher.class);
        for (Class<?> layer : chain) {
            // Fields of type TapsConnection are other Connections (the registry's and idle sweep's lists).
            assertThat(instanceFields(layer).stream().map(Field::getType).toList())
                    .as("no reference from one layer to another: %s", layer.getSimpleName())
                    .doesNotContainAnyElementsOf(chain.subList(1, chain.size()));
            assertThat(names(instanceFields(layer))).as("no back reference: %s", layer.getSimpleName())
                    .doesNotContain("connection", "lifecycle", "sendPath", "receivePath");
        }
    }

    @Test
    void flagsAreBitsWhereABooleanCostEightBytes() {
        // ConnectionHandler 48 -> 32 B, ChannelLink 40 -> 32 B, ReceiveRequest 40 -> 32 B, ReceivePath 96 -> 80 B.
        assertThat(ofType(ConnectionHandler.class, boolean.class)).as("only the one a racing thread sets")
                .containsExactly("discarded");
        assertThat(ofType(ConnectionHandler.class, Runnable.class)).as("whenReported wraps the observer (40 -> 32 B)")
                .isEmpty();
        assertThat(ofType(ChannelLink.class, boolean.class)).as("framed is a framer limit of UNFRAMED").isEmpty();
        assertThat(ofType(ReceiveRequest.class, boolean.class)).as("pooled is the sign of the kept maxLength")
                .isEmpty();
        assertThat(ofType(ReceivePath.class, boolean.class)).as("only the volatile one read off the loop")
                .containsExactly("inputEnded");
        assertThat(ofType(ReceivePath.class, long.class)).as("no count of dropped datagrams, early bytes an int (96 -> 80 B)")
                .isEmpty();
        // The parked Receive's limits in one int, the strategy read from the link: ReceivePath 88 -> 80 B.
        assertThat(names(instanceFields(WaitingReceives.class))).containsExactlyInAnyOrder("firstRequest",
                "laterRequests", "parked");
        assertThat(names(instanceFields(ReceivePath.class))).doesNotContain("strategy");
        // Session 19: the context of its received Messages is the event loop's (ReceivedContexts), 32 B,
        // and the queue's chunk size and end mark one byte: the Connection object 288 -> 280 B.
        assertThat(ofType(InboundQueue.class, int.class)).as("the next chunk as doublings in a byte").isEmpty();
        assertThat(ofType(InboundQueue.class, boolean.class)).as("the end of stream a bit of it").isEmpty();
        assertThat(ofType(ReceivePath.class, io.taps.MessageContext.class)).as("no received context kept").isEmpty();
    }

    @Test
    void session20CutsTheLinkTheDispatcherTaskAndTheCreationCounter() {
        // ChannelLink 32 -> 24 B: the TLS handler and the ConnectionHandler are the pipeline's.
        assertThat(names(instanceFields(ChannelLink.class))).containsExactlyInAnyOrder("kind", "framerLimit");
        // TapsConnection: the dispatcher is its own executor task, and the creation number an int.
        assertThat(ofType(EventDispatcher.class, Runnable.class)).as("no drain task of its own").isEmpty();
        assertThat(ofType(TapsConnection.class, long.class)).as("creation order wraps as an int").isEmpty();
        // 0-RTT, Messages in parts and a framer's failure: one RareTransfer made on first use (-16 B).
        for (Class<?> layer : List.of(SendPath.class, ReceivePath.class)) {
            assertThat(names(instanceFields(layer))).doesNotContain("sentEarly", "openPartial", "partials",
                    "framingError", "earlyBytesLeft");
        }
        assertThat(names(instanceFields(RareTransfer.class))).containsExactlyInAnyOrder("sentEarly", "openPartial",
                "partials", "framingError", "earlyBytesLeft");
        // The engine's observer, clone tracker and end callback: one reference to the owner (-8 B, 248 B).
        assertThat(ofType(TapsConnection.class, ConnectionOwner.class)).containsExactly("owner");
        assertThat(names(instanceFields(TapsConnection.class))).doesNotContain("observer", "cloneTracker");
        assertThat(ofType(Outcomes.class, ConnectionEnd.class)).as("the owner is told through a bit").isEmpty();
    }

    @Test
    void creationOrderSurvivesTheCountersWrap() {
        assertThat(TapsConnection.compareSerial(1, 2)).isNegative();
        assertThat(TapsConnection.compareSerial(2, 1)).isPositive();
        assertThat(TapsConnection.compareSerial(7, 7)).isZero();
        assertThat(TapsConnection.compareSerial(Integer.MAX_VALUE, Integer.MIN_VALUE))
                .as("made just before the wrap, so first").isNegative();
        assertThat(TapsConnection.compareSerial(Integer.MIN_VALUE + 3, Integer.MAX_VALUE - 3)).isPositive();
    }
}
