package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.taps.properties.Property;
import io.taps.spi.ProtocolStack;

/**
 * The link of a Connection on a channel that a plugged-in {@link ProtocolStack} attached: a
 * {@link ChannelLink} (byte stream or datagrams, as the stack's capabilities say) whose Connection
 * Properties go to the stack's own {@link ProtocolStack#applyOption} (RFC 9622 §8.1).
 */
final class StackChannelLink extends ChannelLink {
    private final ProtocolStack stack;

    StackChannelLink(Channel channel, ProtocolStack stack) {
        // ChannelLink's kind only says stream or datagram here; the options are the stack's own.
        super(channel, stack.capabilities().byteStream() ? StackKind.TCP : StackKind.UDP);
        this.stack = stack;
    }

    @Override
    public boolean applyOption(Property<?> property, Object value) {
        try {
            return stack.applyOption(channel(), property, value);
        } catch (RuntimeException | LinkageError unsupported) {
            return false;
        }
    }

    /** The namespaces the stack declares (RFC 9622 §4.1), not TCP's. */
    @Override
    protected boolean protocolNamespace(String namespace) {
        return stack.capabilities().propertyNamespaces().contains(namespace);
    }

    /**
     * The stack's own options: in effect as given, since taps cannot read back what the stack set.
     * The rate bounds (RFC 9622 §8.1.8) are the exception: one the stack does not apply itself is
     * what {@link RateShaping} makes of it on the stack's channel (maxSendRate shaped at the head of
     * its pipeline, the others Unlimited), never a value nothing enforces.
     */
    @Override
    public Object applyProperty(Property<?> property, Object value) {
        boolean applied = applyOption(property, value);
        return RateShaping.governs(property) && !applied ? super.applyProperty(property, value) : value;
    }
}
