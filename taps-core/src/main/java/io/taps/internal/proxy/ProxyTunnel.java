package io.taps.internal.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.AttributeKey;
import io.taps.ErrorReason;
import io.taps.ProxyServer;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The proxy hop of one attempt (RFC 9623 §4.1.2) on Netty's {@code netty-handler-proxy}: the
 * SOCKS5 or HTTP CONNECT handler goes to the head of the attempt's pipeline, so the stack's own
 * handlers (TLS) run inside the tunnel, and their first bytes wait in the proxy handler until the
 * tunnel is open. The stack connects its channel to the proxy's address; a small handler behind the
 * proxy handler turns that connect into one to the destination, which the proxy handler sends to
 * the proxy (unresolved when the proxy resolves names, so neither Netty nor taps asks DNS for it)
 * while it connects the socket to the proxy.
 */
public final class ProxyTunnel {
    /** The pipeline name of the proxy handler. */
    public static final String HANDLER_NAME = "proxy";

    /**
     * The destination of a tunnelled channel: the channel's own remote address is the proxy, but
     * the Connection's Remote Endpoint (RFC 9622 §6.1) is where the tunnel leads.
     */
    public static final AttributeKey<InetSocketAddress> DESTINATION = AttributeKey.valueOf("taps.proxy.destination");

    /** The remote address a Connection on {@code channel} reports: the tunnel's destination, else the channel's peer. */
    public static InetSocketAddress remoteOf(Channel channel) {
        // hasAttr first: attr() would add an attribute to every direct channel's map just to read null.
        InetSocketAddress tunnelled = channel.hasAttr(DESTINATION) ? channel.attr(DESTINATION).get() : null;
        return tunnelled != null ? tunnelled : (InetSocketAddress) channel.remoteAddress();
    }

    private ProxyTunnel() {
    }

    /**
     * Installs the proxy handshake at the head of {@code pipeline} (call before the channel connects)
     * and returns the stage that completes when the tunnel to {@code destination} is open, or fails
     * with a typed error (ProxyRefused, ProxyAuthenticationFailed, Timeout, EstablishmentFailed).
     */
    public static CompletableFuture<Void> install(ChannelPipeline pipeline, ProxyServer server,
            InetSocketAddress proxyAddress, InetSocketAddress destination, Duration timeout) {
        ProxyHandler handler = newHandler(server, proxyAddress);
        handler.setConnectTimeoutMillis(Math.max(1, timeout.toMillis()));
        pipeline.channel().attr(DESTINATION).set(destination);
        pipeline.addFirst(HANDLER_NAME, handler);
        pipeline.addAfter(HANDLER_NAME, "proxy-destination", new Destination(destination));
        CompletableFuture<Void> open = new CompletableFuture<>();
        handler.connectFuture().addListener(done -> {
            if (done.isSuccess()) {
                open.complete(null);
            } else {
                open.completeExceptionally(classify(server, destination, done.cause()));
            }
        });
        return open;
    }

    /**
     * The stage of a stack's handshake inside {@code tunnel}: fails as soon as the tunnel fails
     * (the stack's handshake would only see the closed channel), completes when both have.
     */
    public static CompletionStage<?> throughTunnel(CompletionStage<Void> tunnel, CompletionStage<?> handshake) {
        if (handshake == null) {
            // A stack without a handshake of its own (plain TCP) is ready when the tunnel is open.
            return tunnel;
        }
        CompletableFuture<Object> both = new CompletableFuture<>();
        tunnel.whenComplete((open, failure) -> {
            if (failure != null) {
                both.completeExceptionally(failure);
            } else {
                handshake.whenComplete((done, handshakeFailure) -> {
                    if (handshakeFailure != null) {
                        both.completeExceptionally(handshakeFailure);
                    } else {
                        both.complete(done);
                    }
                });
            }
        });
        return both;
    }

    private static ProxyHandler newHandler(ProxyServer server, InetSocketAddress proxyAddress) {
        String user = server.username().orElse(null);
        String password = server.password().orElse(null);
        if (server.type() == ProxyServer.Type.SOCKS5) {
            return user == null ? new Socks5ProxyHandler(proxyAddress) : new Socks5ProxyHandler(proxyAddress, user, password);
        }
        return user == null ? new HttpProxyHandler(proxyAddress) : new HttpProxyHandler(proxyAddress, user, password);
    }

    /**
     * The typed error for a failed proxy handshake. Netty reports the proxy's answer only in the
     * message of its {@link ProxyConnectException} ("authStatus: FAILURE", "status: FORBIDDEN(2)",
     * "status: 407 ..."), so the answer is read from there; the exception stays the cause.
     */
    public static TransportServicesException classify(ProxyServer server, InetSocketAddress destination,
            Throwable cause) {
        String via = server.describe() + " to " + describe(destination);
        if (cause instanceof TransportServicesException typed) {
            return typed;
        }
        String message = String.valueOf(cause.getMessage());
        if (!(cause instanceof ProxyConnectException)) {
            return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, via + " failed: " + cause, cause);
        }
        if (message.endsWith("timeout")) {
            return new TransportServicesException(ErrorReason.TIMEOUT, via + ": the proxy did not answer in time ("
                    + message + ")", cause);
        }
        if (message.contains("authStatus:") || message.contains("unexpected authMethod")
                || message.contains("status: 407") || message.contains("status: 401")) {
            return new TransportServicesException(ErrorReason.PROXY_AUTHENTICATION_FAILED,
                    via + ": the proxy rejected the authentication (" + message + ")", cause);
        }
        if (message.contains("status:")) {
            return new TransportServicesException(ErrorReason.PROXY_REFUSED,
                    via + ": the proxy refused the tunnel (" + message + ")", cause);
        }
        return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, via + " failed: " + message, cause);
    }

    static String describe(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString()
                : io.netty.util.NetUtil.toAddressString(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Replaces the stack's connect address (the proxy) by the destination the proxy handler asks for. */
    private static final class Destination extends ChannelOutboundHandlerAdapter {
        private final InetSocketAddress destination;

        Destination(InetSocketAddress destination) {
            this.destination = destination;
        }

        @Override
        public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
                ChannelPromise promise) {
            ctx.pipeline().remove(this);
            ctx.connect(destination, localAddress, promise);
        }
    }
}
