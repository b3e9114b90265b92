package io.taps.internal.stun;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks a STUN server for the server-reflexive address of a local UDP port (RFC 8489 §6.2.1 Binding
 * request, RFC 8445 §5.1.1.2 gathering): binds {@code local} (port 0 picks one), sends a Binding
 * request with FINGERPRINT and retransmits it every 250, 500, 1000, ... ms (RFC 8489 §6.2.1, with a
 * shorter first RTO since a gatherer waits on it) until the answer or the deadline, then closes
 * the socket. The socket is bound with SO_REUSEADDR, so a Rendezvous can bind the same port again and
 * a NAT that maps endpoint-independently (RFC 4787) keeps the mapping found here.
 */
public final class StunBindingClient {
    private static final long FIRST_RTO_MILLIS = 250;

    /** The bound local address and the address the STUN server saw it as. */
    public record Mapping(InetSocketAddress local, InetSocketAddress mapped) {
    }

    private StunBindingClient() {
    }

    /** Starts the query on {@code loop}; completes with the mapping, or ResolutionFailed naming the server. */
    public static CompletableFuture<Mapping> query(EventLoop loop, Class<? extends DatagramChannel> type,
            InetSocketAddress local, InetSocketAddress server, Duration timeout) {
        CompletableFuture<Mapping> result = new CompletableFuture<>();
        StunMessage request = StunMessage.request(List.of());
        byte[] wire = request.encode(null, true);
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(type).option(ChannelOption.SO_REUSEADDR, true)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        byte[] data = ByteBufUtil.getBytes(packet.content());
                        StunMessage.decode(data).filter(m -> m.sameTransaction(request.transactionId()))
                                .ifPresent(response -> answered(ctx.channel(), response, server, result));
                    }
                });
        bootstrap.bind(local).addListener(bound -> {
            Channel channel = ((io.netty.channel.ChannelFuture) bound).channel();
            if (!bound.isSuccess()) {
                result.completeExceptionally(new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                        "cannot bind " + local + " to ask STUN server " + server + ": " + bound.cause().getMessage(),
                        bound.cause()));
                return;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            send(channel, wire, server, FIRST_RTO_MILLIS, deadline, result);
            result.whenComplete((done, failure) -> channel.close());
        });
        return result;
    }

    private static void answered(Channel channel, StunMessage response, InetSocketAddress server,
            CompletableFuture<Mapping> result) {
        if (response.type() == StunMessage.BINDING_SUCCESS && response.mappedAddress().isPresent()) {
            result.complete(new Mapping((InetSocketAddress) channel.localAddress(), response.mappedAddress().get()));
        } else {
            result.completeExceptionally(new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                    "STUN server " + server + " answered the Binding request with "
                            + response.error().orElse("no mapped address")));
        }
    }

    private static void send(Channel channel, byte[] wire, InetSocketAddress server, long rto, long deadline,
            CompletableFuture<Mapping> result) {
        if (result.isDone() || !channel.isActive()) {
            return;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            result.completeExceptionally(new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                    "STUN server " + server + " did not answer the Binding request from "
                            + channel.localAddress()));
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(wire), server));
        ScheduledFuture<?> next = channel.eventLoop().schedule(
                () -> send(channel, wire, server, rto * 2, deadline, result), Math.min(rto, left), TimeUnit.MILLISECONDS);
        result.whenComplete((done, failure) -> next.cancel(false));
    }
}
