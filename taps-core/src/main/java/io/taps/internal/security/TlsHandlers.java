package io.taps.internal.security;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AttributeKey;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.SecurityOutcome;
import io.taps.security.SecurityParameters;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Creates the per-connection {@link SslHandler}s of taps' TLS stacks and turns handshake failures into
 * {@link TransportServicesException}s (RFC 9622 §6.3; checklist SEC-01, SEC-03, SEC-04, SEC-10, SEC-13,
 *
 *
 * <p>The client side verifies the name from {@link SecurityParameters#serverName()} when set, else
 * the endpoint's host name or IP literal (IP literals are matched against IP subject alternative
 * names). SNI is sent only for DNS names, never for IP literals (RFC 6066 §3).
 */
public final class TlsHandlers {
    private static final AttributeKey<SecurityOutcome> OUTCOME = AttributeKey.valueOf(TlsHandlers.class, "outcome");
    private static final int TLS_RECORD_HEADER_LENGTH = 5;

    private TlsHandlers() {
    }

    /** Like {@link #newClientHandler(SslContext, ByteBufAllocator, SecurityParameters, String, int, Duration)} with Netty's default 10 s handshake timeout. */
    public static SslHandler newClientHandler(SslContext ctx, ByteBufAllocator alloc, SecurityParameters params,
            String peerHost, int port) {
        return newClientHandler(ctx, alloc, params, peerHost, port, null);
    }

    /**
     * Creates a client handler.
     *
     * @param ctx a client context from {@link SslContexts#forClient}
     * @param alloc the channel's allocator
     * @param params the parameters {@code ctx} was built from
     * @param peerHost the host name or IP literal used to connect (brackets around IPv6 are allowed)
     * @param port the remote port (part of the session cache key)
     * @param handshakeTimeout the handshake timeout, or {@code null} for Netty's default
     */
    public static SslHandler newClientHandler(SslContext ctx, ByteBufAllocator alloc, SecurityParameters params,
            String peerHost, int port, Duration handshakeTimeout) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(params, "params");
        String name = params.serverName().orElse(Objects.requireNonNull(peerHost, "peerHost"));
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        // The context already carries this parameters' hostname verification (SslContexts), and
        // neither provider sends an IP literal as SNI, so the engine needs no per-connection
        // SSLParameters: setting them costs BoringSSL a cipher-suite round trip per handshake.
        SslHandler handler = ctx.newHandler(alloc, name, port);
        if (handshakeTimeout != null) {
            handler.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
        }
        return handler;
    }

    /** Creates a server handler with Netty's default handshake timeout. */
    public static SslHandler newServerHandler(SslContext ctx, ByteBufAllocator alloc) {
        return Objects.requireNonNull(ctx, "ctx").newHandler(alloc);
    }

    /** Creates a server handler with the given handshake timeout. */
    public static SslHandler newServerHandler(SslContext ctx, ByteBufAllocator alloc, Duration handshakeTimeout) {
        SslHandler handler = newServerHandler(ctx, alloc);
        handler.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
        return handler;
    }

    /** The ALPN protocol both peers agreed on, if any (SEC-04). */
    public static Optional<String> negotiatedAlpn(SslHandler handler) {
        String p = handler.applicationProtocol();
        return p == null || p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    /**
     * The handshake outcome as taps defines it (Q-4: a TLS connection is Ready after the handshake):
     * completes when the handshake succeeded and, on the client side, if {@code params} lists ALPN protocols, one was
     * negotiated; otherwise fails with a {@link TransportServicesException} from {@link #classify}
     * and closes the channel. Use this instead of {@link SslHandler#handshakeFuture()}, which succeeds
     * even when a client required ALPN and the server (BoringSSL cannot send the alert) chose none.
     * On success the channel carries the {@link SecurityOutcome} ({@link #outcome(Channel)}).
     * Call it after the handler was added to a pipeline, before the channel is active.
     */
    public static CompletionStage<Optional<String>> handshake(SslHandler handler, SecurityParameters params) {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        whenHandshaken(handler, params, result, System.currentTimeMillis());
        return result;
    }

    /**
     * Adds the server side of TLS to an accepted {@code channel} and returns its handshake outcome
     * as {@link #handshake} does. A client whose ALPN list has nothing in common with
     * {@code params}' gets the {@code no_application_protocol} alert (RFC 7301 §3.2) and fails the
     * outcome with SecurityFailed naming both lists. With {@code cleartextToo} (an opportunistic
     * Listener, RFC 9622 §6.3) the first bytes decide: a TLS record starts the handshake, anything
     * else is a cleartext connection whose outcome completes at once without a
     * {@link SecurityOutcome}. Such a cleartext client must send first.
     */
    public static CompletionStage<Optional<String>> addServer(Channel channel, SslContext ctx, SecurityParameters params,
            Duration handshakeTimeout, boolean cleartextToo) {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        if (!cleartextToo) {
            addServerHandlers(channel, null, ctx, params, handshakeTimeout, result);
            return result;
        }
        channel.pipeline().addLast("tls-detect", new ByteToMessageDecoder() {
            @Override
            protected void decode(ChannelHandlerContext detector, ByteBuf in, List<Object> out) {
                if (in.readableBytes() < TLS_RECORD_HEADER_LENGTH) {
                    return;
                }
                if (SslHandler.isEncrypted(in, false)) {
                    addServerHandlers(channel, detector.name(), ctx, params, handshakeTimeout, result);
                } else {
                    result.complete(Optional.empty());
                }
                // What was read so far goes on to the handler behind this one.
                detector.pipeline().remove(this);
            }
        });
        return result;
    }

    private static void addServerHandlers(Channel channel, String after, SslContext ctx, SecurityParameters params,
            Duration handshakeTimeout, CompletableFuture<Optional<String>> result) {
        SslHandler ssl = handshakeTimeout == null ? newServerHandler(ctx, channel.alloc())
                : newServerHandler(ctx, channel.alloc(), handshakeTimeout);
        ChannelPipeline pipeline = channel.pipeline();
        // after a detector: guard then TLS right behind it, so that the bytes it read reach the guard first
        if (after == null) {
            if (!params.alpn().isEmpty()) {
                pipeline.addLast("tls-alpn", new AlpnGuard(params.alpn(), result::completeExceptionally));
            }
            pipeline.addLast("tls", ssl);
        } else {
            pipeline.addAfter(after, "tls", ssl);
            if (!params.alpn().isEmpty()) {
                pipeline.addAfter(after, "tls-alpn", new AlpnGuard(params.alpn(), result::completeExceptionally));
            }
        }
        whenHandshaken(ssl, params, result, System.currentTimeMillis());
    }

    private static void whenHandshaken(SslHandler handler, SecurityParameters params,
            CompletableFuture<Optional<String>> result, long startMillis) {
        handler.handshakeFuture().addListener(f -> {
            Channel ch = (Channel) f.getNow();
            if (!f.isSuccess()) {
                result.completeExceptionally(classify(f.cause()));
                return;
            }
            Optional<String> alpn = negotiatedAlpn(handler);
            // Only a client requires ALPN: a server must still serve clients that offer none.
            if (handler.engine().getUseClientMode() && !params.alpn().isEmpty() && alpn.isEmpty()) {
                TransportServicesException e = new TransportServicesException(ErrorReason.SECURITY_FAILED,
                        "ALPN mismatch: none of " + params.alpn() + " was accepted by the peer");
                if (ch != null) {
                    ch.close();
                }
                result.completeExceptionally(e);
                return;
            }
            if (ch != null) {
                ch.attr(OUTCOME).set(SecurityOutcomes.of(handler.engine(), startMillis));
            }
            result.complete(alpn);
        });
    }

    /** The outcome of {@code channel}'s completed TLS handshake; empty without TLS or before it completed. */
    public static Optional<SecurityOutcome> outcome(Channel channel) {
        // hasAttr first: attr() would add an attribute to a cleartext channel's map just to read null
        // (the actuator asks every Connection for its security outcome and its ALPN protocol).
        return channel.hasAttr(OUTCOME) ? Optional.ofNullable(channel.attr(OUTCOME).get()) : Optional.empty();
    }

    /**
     * Like {@link #classify(Throwable)}, preferring the rejection taps' trust manager decided for
     * {@code engine}'s peer when the failure does not carry it (a QUIC engine's handshake failure
     * names only BoringSSL's verdict, not which certificate was refused, nor why).
     */
    public static TransportServicesException classify(Throwable failure, javax.net.ssl.SSLEngine engine) {
        TapsCertificateException rejected = engine == null ? null : TapsTrustManager.takeRejection(engine);
        return rejected != null && !(failure instanceof TransportServicesException)
                ? security(rejected.getMessage(), failure) : classify(failure);
    }

    /**
     * Classifies a handshake failure: SECURITY_FAILED with a message naming what failed (untrusted
     * certificate, hostname mismatch, certificate pinning, trust callback, no common protocol version,
     * no common cipher suite, ALPN mismatch, certificate required or rejected by the peer), or TIMEOUT
     * for a handshake timeout, which is not a security verdict. A TransportServicesException is
     * returned unchanged.
     */
    public static TransportServicesException classify(Throwable failure) {
        if (failure instanceof TransportServicesException) {
            return (TransportServicesException) failure;
        }
        List<Throwable> chain = chain(failure);
        for (Throwable t : chain) {
            if (t instanceof TapsCertificateException) {
                return security(((TapsCertificateException) t).getMessage(), failure);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof SslHandshakeTimeoutException) {
                return new TransportServicesException(ErrorReason.TIMEOUT, "TLS handshake timed out: "
                        + t.getMessage(), failure);
            }
        }
        StringBuilder all = new StringBuilder();
        for (Throwable t : chain) {
            all.append(' ').append(t.getMessage()).append(' ').append(t.getClass().getSimpleName());
        }
        String text = all.toString().toLowerCase(Locale.ROOT);
        String detail = firstMessage(chain);
        if (has(text, "no_application_protocol", "no compatible protocols", "application protocol",
                "selected protocol is not supported")) {
            return security("ALPN mismatch: " + detail, failure);
        }
        if (has(text, "protocol_version", "unsupported_protocol", "no appropriate protocol", "wrong_version_number",
                "version too low", "version_too_low", "unsupported protocol")) {
            return security("no common protocol version: " + detail, failure);
        }
        if (has(text, "no_shared_cipher", "no cipher suites in common", "no_cipher_match", "insufficient_security")) {
            return security("no common cipher suite: " + detail, failure);
        }
        if (has(text, "certificate_required", "peer_did_not_return_a_certificate", "empty client certificate chain",
                "empty server certificate chain")) {
            return security("certificate required but not sent: " + detail, failure);
        }
        if (has(text, "no subject alternative", "no name matching", "hostname")) {
            return security("hostname mismatch: " + detail, failure);
        }
        if (has(text, "certificate_unknown", "unknown_ca", "bad_certificate", "certificate_verify_failed",
                "unable to find valid certification path", "pkix", "untrusted")) {
            return security("untrusted certificate: " + detail, failure);
        }
        for (Throwable t : chain) {
            if (t instanceof CertificateException) {
                return security("untrusted certificate: " + detail, failure);
            }
            if (t instanceof ClosedChannelException) {
                return security("connection closed during the TLS handshake", failure);
            }
        }
        return security("TLS handshake failed: " + detail, failure);
    }

    /** The RFC 8446 §6 name of TLS alert {@code code}, e.g. {@code no_application_protocol} for 120. */
    public static String alertName(int code) {
        switch (code) {
            case 0: return "close_notify";
            case 10: return "unexpected_message";
            case 20: return "bad_record_mac";
            case 40: return "handshake_failure";
            case 42: return "bad_certificate";
            case 43: return "unsupported_certificate";
            case 44: return "certificate_revoked";
            case 45: return "certificate_expired";
            case 46: return "certificate_unknown";
            case 47: return "illegal_parameter";
            case 48: return "unknown_ca";
            case 49: return "access_denied";
            case 50: return "decode_error";
            case 51: return "decrypt_error";
            case 70: return "protocol_version";
            case 71: return "insufficient_security";
            case 80: return "internal_error";
            case 109: return "missing_extension";
            case 110: return "unsupported_extension";
            case 112: return "unrecognized_name";
            case 116: return "certificate_required";
            case 120: return "no_application_protocol";
            default: return "alert " + code;
        }
    }

    private static boolean has(String text, String... needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static String firstMessage(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return chain.isEmpty() ? "unknown" : chain.get(0).getClass().getSimpleName();
    }

    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>();
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(0);
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
        }
        return out;
    }

    private static TransportServicesException security(String message, Throwable cause) {
        return new TransportServicesException(ErrorReason.SECURITY_FAILED, message, cause);
    }
}
