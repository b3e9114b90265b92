package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One Connection Group in the taps endpoint (RFC 9622 §7.4; checklist C-09, A-14): the Connections
 * made from one another by Clone, and the Connection Properties they share.
 *
 * @param id               the group's id, for example {@code g-3}
 * @param protocolStack    the stack its members use; null while none is established
 * @param multiplexed      whether the members are streams of one transport connection (QUIC)
 * @param sharedProperties the entangled Connection Properties whose values differ from the RFC
 *                         defaults, by RFC name, as printable values
 * @param connections      the ids of the members not yet Closed, in creation order: each is
 *                         described once, in the {@code connections} section
 */
public record GroupDescriptor(String id, @Nullable String protocolStack, boolean multiplexed,
        Map<String, String> sharedProperties, List<String> connections) {
}
