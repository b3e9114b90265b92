package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What a Connection's send path keeps (issue 21 figure 12): its event loop's flags in one byte
 * beside the volatile finalSent, so that its references start four bytes earlier (88 -> 80 B of
 * every Connection), and no pooled Send of its own ({@link SendPool}).
 */
class SendPathLayoutTest {
    @Test
    void theSendPathKeepsItsFlagsInOneByteAndNoPooledSend() {
        Field[] fields = Arrays.stream(SendPath.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers())).toArray(Field[]::new);
        assertThat(Arrays.stream(fields).filter(field -> field.getType() == boolean.class).map(Field::getName))
                .as("boolean fields: only the volatile one read off the loop").containsExactly("finalSent");
        assertThat(Arrays.stream(fields).map(Field::getName)).as("no pooled Send of its own")
                .doesNotContain("spare", "idle");
    }

    /**
     * Session 18: 80 -> 72 B, one map for partial Messages' deadlines and expiries, a char of batch
     * depth. Session 20: the map waits in the RareTransfer made on the first part.
     */
    @Test
    void partialMessagesShareOneMapAndTheBatchDepthIsAChar() {
        Field[] fields = Arrays.stream(SendPath.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers())).toArray(Field[]::new);
        Field[] rare = Arrays.stream(RareTransfer.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers())).toArray(Field[]::new);
        assertThat(Arrays.stream(fields).filter(field -> java.util.Map.class.isAssignableFrom(field.getType())
                || java.util.Set.class.isAssignableFrom(field.getType()))).isEmpty();
        assertThat(Arrays.stream(rare).filter(field -> java.util.Map.class.isAssignableFrom(field.getType())
                || java.util.Set.class.isAssignableFrom(field.getType())).map(Field::getName))
                .containsExactly("partials");
        assertThat(Arrays.stream(fields).filter(field -> field.getType() == char.class).map(Field::getName))
                .containsExactly("batchDepth");
    }
}
