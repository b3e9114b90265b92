package io.taps.internal.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.taps.internal.security.TlsHandlers;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The handler of every QUIC connection a Listener's server codec accepts: keeps it in the set of
 * open connections (so that the Listener can close them), hands it to {@code opened}, and reports a handshake the Listener's TLS
 * stack refused (no or an untrusted client certificate under client authentication, no common ALPN
 * protocol) to {@code rejected}, which raises ConnectionRejected (RFC 9622 §7.2) as a TLS/TCP
 * Listener does. Such a QUIC connection never has a stream, so no Connection would tell of it.
 *
 * <p>quiche hands the failure to the QUIC channel as a failed handshake event and as an exception:
 * it is reported once, and the exception is not passed on, so Netty does not log it as unhandled at
 * the pipeline's tail. Exceptions after a successful handshake go on down the pipeline as before.
 */
@ChannelHandler.Sharable
final class InboundHandshakes extends ChannelInboundHandlerAdapter {
    /** TRUE once the handshake succeeded, FALSE once its failure was reported. */
    private static final AttributeKey<Boolean> HANDSHAKE = AttributeKey.valueOf(InboundHandshakes.class, "handshake");

    private final Set<QuicChannel> live;
    private final BiConsumer<InetSocketAddress, Throwable> rejected;
    private final Consumer<QuicChannel> opened;

    /** {@code opened} sets up each new QUIC connection further (its datagram Connection, RFC 9221). */
    InboundHandshakes(Set<QuicChannel> live, BiConsumer<InetSocketAddress, Throwable> rejected,
            Consumer<QuicChannel> opened) {
        this.live = live;
        this.rejected = rejected;
        this.opened = opened;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        QuicChannel quic = (QuicChannel) ctx.channel();
        live.add(quic);
        quic.closeFuture().addListener(closed -> live.remove(quic));
        opened.accept(quic);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent handshake = (SslHandshakeCompletionEvent) event;
            if (handshake.isSuccess()) {
                ctx.channel().attr(HANDSHAKE).setIfAbsent(Boolean.TRUE);
            } else {
                reject(ctx, handshake.cause());
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Boolean.TRUE.equals(ctx.channel().attr(HANDSHAKE).get()) || !isHandshakeFailure(cause)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        reject(ctx, cause);
    }

    private void reject(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel().attr(HANDSHAKE).setIfAbsent(Boolean.FALSE) != null) {
            return;
        }
        QuicChannel quic = (QuicChannel) ctx.channel();
        SocketAddress remote = quic.remoteSocketAddress();
        rejected.accept(remote instanceof InetSocketAddress ? (InetSocketAddress) remote : null,
                TlsHandlers.classify(cause, quic.sslEngine()));
        // Not closed here: quiche already closes the connection with the TLS alert (RFC 9001 §4.8)
        // as CONNECTION_CLOSE, which an immediate close would replace or cut short.
    }

    private static boolean isHandshakeFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
