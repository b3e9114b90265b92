package io.taps.internal.multicast;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.StackKind;
import io.taps.internal.stack.TapsAttempt;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Multicast Rendezvous (RFC 9622 §6.1.1, §7.3; EP-05): an any-source (ASM) group as both Local and
 * Remote Endpoint is a peer-to-peer group; the Connection's one socket binds the group's port,
 * joins the group and sends its Messages to the group, and receives what any member sends to it
 * (its own datagrams too, since multicast loopback stays on, so members on one host hear each
 * other). A source-specific (SSM) group as Local Endpoint receives from one source only, so it
 * cannot rendezvous: the attempt fails and the Rendezvous ends with EstablishmentError.
 */
record MulticastRendezvous(MulticastReceive receive, MulticastSend send) {

    /** Whether a Rendezvous names a group as Local Endpoint. */
    static boolean requested(PreconnectionSpec spec) {
        return MulticastReceive.requested(spec);
    }

    /** Reads the request; a Remote Endpoint other than the same group is InvalidConfiguration. */
    static MulticastRendezvous of(PreconnectionSpec spec) {
        if (spec.locals().size() != 1 || spec.remotes().size() != 1) {
            throw invalid("a multicast Rendezvous takes the group as its one LocalEndpoint and its one RemoteEndpoint,"
                    + " got " + spec.locals() + " and " + spec.remotes());
        }
        LocalEndpoint local = spec.locals().get(0);
        RemoteEndpoint remote = spec.remotes().get(0);
        if (!remote.ipAddress().equals(local.multicastGroup()) || remote.effectivePort() != local.effectivePort()) {
            throw invalid("a multicast Rendezvous needs the same group and port as Local and Remote Endpoint"
                    + " (RFC 9622 §6.1.1), got " + local + " and " + remote);
        }
        PreconnectionSpec group = new PreconnectionSpec(java.util.List.of(local), java.util.List.of(),
                spec.properties(), spec.security());
        PreconnectionSpec sending = new PreconnectionSpec(java.util.List.of(), spec.remotes(), spec.properties(),
                spec.security());
        return new MulticastRendezvous(MulticastReceive.of(group), MulticastSend.of(sending));
    }

    void connect(TapsAttempt attempt) {
        if (receive.sourceSpecific()) {
            attempt.fail(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "Rendezvous with the"
                    + " source-specific group " + receive + " as LocalEndpoint: an SSM group receives from its one"
                    + " source only, so it cannot be a group of peers (RFC 9622 §6.1.1); use an any-source group"));
            return;
        }
        BlockingWork.supply(receive::resolveInterface, attempt.environment().blocking())
                .whenComplete((networkInterface, failure) -> TapsAttempt.onLoop(attempt.eventLoop(), () -> {
                    if (failure != null) {
                        attempt.fail(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else if (!attempt.outcome().isDone()) {
                        join(attempt, networkInterface);
                    }
                }));
    }

    private void join(TapsAttempt attempt, NetworkInterface networkInterface) {
        InetSocketAddress group = send.group();
        CompletableFuture<Void> joined = new CompletableFuture<>();
        Bootstrap bootstrap = send.bootstrap(attempt.environment().transport(), networkInterface)
                .group(attempt.eventLoop()).option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast("group-addressing", new ToGroup(group));
                        attempt.attach(channel, joined, attached -> new GroupLink(attached, group));
                    }
                });
        ChannelFuture binding = bootstrap.bind(receive.bindAddress());
        attempt.onCancel(() -> binding.channel().close());
        binding.addListener(bound -> {
            if (!bound.isSuccess()) {
                attempt.fail(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "cannot bind "
                        + receive.bindAddress() + " for " + receive + ": " + bound.cause().getMessage(), bound.cause()));
                return;
            }
            ((DatagramChannel) binding.channel()).joinGroup(receive.group(), networkInterface, null).addListener(join -> {
                if (join.isSuccess()) {
                    joined.complete(null);
                } else {
                    joined.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                            "cannot join " + receive + " on " + networkInterface.getName() + ": "
                                    + join.cause().getMessage(), join.cause()));
                }
            });
        });
    }

    /** Addresses every datagram the Connection writes to the group: the socket stays unconnected, so it hears every member. */
    private static final class ToGroup extends ChannelOutboundHandlerAdapter {
        private final InetSocketAddress group;

        ToGroup(InetSocketAddress group) {
            this.group = group;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
            ctx.write(message instanceof ByteBuf ? new DatagramPacket((ByteBuf) message, group) : message, promise);
        }
    }

    /** The link of a group Connection: its remote is the group. */
    private static final class GroupLink extends ChannelLink {
        private final InetSocketAddress group;

        GroupLink(Channel channel, InetSocketAddress group) {
            super(channel, StackKind.UDP);
            this.group = group;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return group;
        }
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }
}
