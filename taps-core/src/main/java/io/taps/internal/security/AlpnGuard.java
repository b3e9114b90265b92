package io.taps.internal.security;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.Future;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Enforces RFC 7301 §3.2 on a TLS server for both providers: a client whose ALPN list has no
 * protocol in common with the server's gets the fatal {@code no_application_protocol} alert and no
 * connection. Netty's BoringSSL binding can only ignore such a client (it answers without ALPN and
 * the handshake completes), so the ClientHello is read before the TLS engine sees it. A client that
 * offers no ALPN at all is served, as RFC 7301 requires.
 *
 * <p>The alert is sent as a plaintext record, as every alert before the server's first flight is
 * (RFC 8446 §5, RFC 5246 §6.2.1); the handler then closes the channel and reports the mismatch.
 */
final class AlpnGuard extends SslClientHelloHandler<Void> {
    /** Fatal (2) no_application_protocol (120) in a TLS 1.2-versioned alert record (21). */
    private static final byte[] NO_APPLICATION_PROTOCOL = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x78};

    private static final int TLS_EXTENSION_ALPN = 16;

    private final List<String> supported;
    private final Consumer<TransportServicesException> rejected;

    AlpnGuard(List<String> supported, Consumer<TransportServicesException> rejected) {
        this.supported = List.copyOf(supported);
        this.rejected = rejected;
    }

    @Override
    protected Future<Void> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        List<String> offered = clientHello == null ? List.of() : offeredProtocols(clientHello);
        if (!offered.isEmpty() && Collections.disjoint(offered, supported)) {
            return ctx.executor().newFailedFuture(new TransportServicesException(ErrorReason.SECURITY_FAILED,
                    "ALPN mismatch: the client offered " + offered + ", this side supports " + supported
                            + " (no_application_protocol sent, RFC 7301 §3.2)"));
        }
        return ctx.executor().newSucceededFuture(null);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<Void> verdict) {
        if (verdict.isSuccess()) {
            // The buffered ClientHello goes on to the TLS engine behind this handler.
            ctx.pipeline().remove(this);
            return;
        }
        // The alert goes out first: whoever hears of the rejection may close the channel at once.
        ctx.writeAndFlush(Unpooled.wrappedBuffer(NO_APPLICATION_PROTOCOL)).addListener(ChannelFutureListener.CLOSE);
        rejected.accept((TransportServicesException) verdict.cause());
    }

    /**
     * The protocols of the ALPN extension of a ClientHello body (RFC 8446 §4.1.2, RFC 7301 §3.1),
     * starting at {@code legacy_version}; empty when the client sent no ALPN or the message is cut short.
     */
    static List<String> offeredProtocols(ByteBuf hello) {
        int end = hello.writerIndex();
        int i = hello.readerIndex() + 2 + 32; // legacy_version, random
        if (i + 1 > end) {
            return List.of();
        }
        i += 1 + hello.getUnsignedByte(i); // legacy_session_id
        if (i + 2 > end) {
            return List.of();
        }
        i += 2 + hello.getUnsignedShort(i); // cipher_suites
        if (i + 1 > end) {
            return List.of();
        }
        i += 1 + hello.getUnsignedByte(i); // legacy_compression_methods
        if (i + 2 > end) {
            return List.of();
        }
        int extensionsEnd = Math.min(end, i + 2 + hello.getUnsignedShort(i));
        i += 2;
        while (i + 4 <= extensionsEnd) {
            int type = hello.getUnsignedShort(i);
            int length = hello.getUnsignedShort(i + 2);
            i += 4;
            if (type == TLS_EXTENSION_ALPN) {
                return protocolNameList(hello, i, Math.min(extensionsEnd, i + length));
            }
            i += length;
        }
        return List.of();
    }

    private static List<String> protocolNameList(ByteBuf hello, int from, int end) {
        List<String> names = new ArrayList<>();
        if (from + 2 > end) {
            return names;
        }
        int listEnd = Math.min(end, from + 2 + hello.getUnsignedShort(from));
        int i = from + 2;
        while (i < listEnd) {
            int length = hello.getUnsignedByte(i++);
            if (length == 0 || i + length > listEnd) {
                break;
            }
            names.add(hello.toString(i, length, StandardCharsets.UTF_8));
            i += length;
        }
        return names;
    }
}
