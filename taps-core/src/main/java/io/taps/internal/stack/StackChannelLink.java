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

    /** The stack's own options: in effect as given, since taps cannot read back what the stack set. */
    @Override
    public Object applyProperty(Property<?> property, Object value) {
        applyOption(property, value);
        return value;
    }
}
