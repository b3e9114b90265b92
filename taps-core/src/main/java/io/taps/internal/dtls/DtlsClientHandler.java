package io.taps.internal.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.SecurityOutcome;
import io.taps.security.SecurityParameters;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * The DTLS layer of a client's connected UDP channel (RFC 6347): runs the handshake when the
 * channel becomes active, turns each received datagram into the plaintext Messages of its records
 * (passed on as datagrams, so boundaries stay), and seals each written Message into one record.
 * Closing the channel sends close_notify first.
 */
final class DtlsClientHandler extends ChannelDuplexHandler {
    private final SSLEngine engine;
    private final SecurityParameters security;
    private final Duration timeout;
    private final CompletableFuture<SecurityOutcome> ready = new CompletableFuture<>();
    private DtlsAssociation association;
    private volatile SecurityOutcome outcome;
    private volatile int overhead = 13;
    private boolean aborting;
    /** The context and datagram of the read in progress, for {@link #opened} (no closure per datagram). */
    private ChannelHandlerContext reading;
    private DatagramPacket readPacket;
    private final Consumer<ByteBuf> opened = this::opened;

    DtlsClientHandler(SSLEngine engine, SecurityParameters security, Duration timeout) {
        this.engine = engine;
        this.security = security;
        this.timeout = timeout;
    }

    /** The handshake as the attempt's stage: completes once DTLS is established (and ALPN agreed, when asked). */
    CompletionStage<SecurityOutcome> handshake() {
        return ready;
    }

    SecurityOutcome outcome() {
        return outcome;
    }

    int recordOverhead() {
        return overhead;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        association = new DtlsAssociation(engine, ctx.channel().eventLoop(), ctx.alloc(), datagram -> ctx.writeAndFlush(datagram));
        // The peer's close_notify is its Close (RFC 9622 §10 Closed): taps closes the link in turn.
        association.onPeerClose(() -> ctx.fireChannelRead(io.taps.internal.framer.FramingSignal.CLOSE));
        association.handshake().whenComplete((negotiated, failure) -> {
            if (failure != null) {
                ready.completeExceptionally(failure);
                return;
            }
            if (!security.alpn().isEmpty() && negotiated.applicationProtocol().isEmpty()) {
                ready.completeExceptionally(new TransportServicesException(ErrorReason.SECURITY_FAILED,
                        "ALPN mismatch: none of " + security.alpn() + " was accepted by the DTLS peer"));
                ctx.close();
                return;
            }
            overhead = association.recordOverhead();
            outcome = negotiated;
            ready.complete(negotiated);
        });
        association.begin(timeout);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket) || association == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        ChannelHandlerContext outerContext = reading;
        DatagramPacket outerPacket = readPacket;
        reading = ctx;
        readPacket = packet;
        try {
            association.receive(packet.content(), opened);
        } finally {
            reading = outerContext;
            readPacket = outerPacket;
            packet.release();
        }
    }

    /** One record's plaintext of the datagram being read: passed on as a datagram from the same peer. */
    private void opened(ByteBuf plain) {
        reading.fireChannelRead(new DatagramPacket(plain, readPacket.recipient(), readPacket.sender()));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (association == null || !association.established()) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new TransportServicesException(ErrorReason.CONNECTION_CLOSED, "the DTLS association is not established"));
            return;
        }
        ByteBuf plain = msg instanceof DatagramPacket ? ((DatagramPacket) msg).content()
                : msg instanceof ByteBuf ? (ByteBuf) msg : null;
        if (plain == null) {
            ctx.write(msg, promise);
            return;
        }
        try {
            ByteBuf sealed = association.seal(plain);
            ctx.write(msg instanceof DatagramPacket ? new DatagramPacket(sealed, ((DatagramPacket) msg).recipient()) : sealed, promise);
        } catch (Exception e) {
            promise.setFailure(e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (association != null && !association.handshake().isDone()) {
            // An ICMP port unreachable while handshaking: nobody speaks DTLS (or anything) there.
            association.fail(cause instanceof PortUnreachableException
                    ? new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                            "DTLS/UDP to " + ctx.channel().remoteAddress() + ": port unreachable", cause)
                    : cause);
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    /** Abort (RFC 9622 §10): the channel closes without close_notify, as TCP's RST skips FIN. */
    void abort(io.netty.channel.Channel channel) {
        aborting = true;
        channel.close();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (association != null) {
            if (aborting) {
                association.abandon();
            } else {
                association.close();
            }
        }
        ready.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                "the DTLS channel closed before the handshake completed"));
        ctx.flush();
        super.close(ctx, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ready.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                "the DTLS channel closed before the handshake completed"));
        super.channelInactive(ctx);
    }
}
