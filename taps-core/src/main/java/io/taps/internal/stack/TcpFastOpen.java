package io.taps.internal.stack;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.AttributeKey;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.spi.StackUse;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * TCP Fast Open (RFC 7413) for 0-RTT establishment over TCP (RFC 9622 §6.2.5 {@code zeroRttMsg},
 * §7.2 InitiateWithSend): the client's safely replayable first Message travels in the SYN when
 * the kernel holds a cookie for the server, and a Listener that opted in (its {@code zeroRttMsg}
 * is Require or Prefer) accepts data in SYNs.
 *
 * <p>Linux only, on Netty's epoll transport: the client sets {@code TCP_FASTOPEN_CONNECT} and
 * queues the Message before connect, so Netty's connect sends it with {@code MSG_FASTOPEN}; the
 * listener sets {@code TCP_FASTOPEN} with a queue length. Whether the kernel allows either is
 * {@code net.ipv4.tcp_fastopen} (bit 1 client, bit 2 server), which Netty reads once when its
 * epoll classes load. The cookie cache is the kernel's, per network namespace and server address:
 * no process can scope it, so an isolateSession Connection (RFC 9622 §8.1.10) never uses TFO.
 */
public final class TcpFastOpen {
    /** Pending Fast Open requests a listening socket queues (the kernel's TFO queue, RFC 7413 §5.1). */
    public static final int LISTEN_QUEUE = 256;

    /** Set on a channel by whether TFO was enabled on it; read as the applied {@code zeroRttMsg}. */
    static final AttributeKey<Boolean> ENABLED = AttributeKey.valueOf("taps.tcpFastOpen");
    /** Set on an accepted channel: how many of its first bytes arrived in the SYN (early data). */
    static final AttributeKey<Long> SYN_DATA = AttributeKey.valueOf("taps.tcpFastOpen.synData");

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /** tcp_info.tcpi_options bit: data in the SYN was acknowledged (sent or received). */
    private static final int TCPI_OPT_SYN_DATA = 32;
    /** Offsets in Linux's struct tcp_info (include/uapi/linux/tcp.h). */
    private static final int OPTIONS_OFFSET = 5;
    private static final int BYTES_RECEIVED_OFFSET = 128;
    private static final int TCP_INFO_LENGTH = 160;

    private TcpFastOpen() {
    }

    /** Whether this kernel and Netty let a client send data in the SYN. */
    public static boolean clientAvailable() {
        try {
            return Epoll.isAvailable() && Epoll.isTcpFastOpenClientSideAvailable();
        } catch (Throwable unavailable) {
            return false;
        }
    }

    /** Whether this kernel and Netty let a listener accept data in the SYN. */
    public static boolean serverAvailable() {
        try {
            return Epoll.isAvailable() && Epoll.isTcpFastOpenServerSideAvailable();
        } catch (Throwable unavailable) {
            return false;
        }
    }

    /**
     * Why TCP cannot give 0-RTT to a use that requires it ({@code zeroRttMsg} Require), or empty:
     * it is not Linux epoll, the sysctl leaves the needed side off, or the session is isolated.
     */
    static Optional<String> unusableReason(StackUse use) {
        if (use.properties().get(Property.ZERO_RTT_MSG) != Preference.REQUIRE) {
            return Optional.empty();
        }
        if (use.role() == Role.LISTEN) {
            return serverAvailable() ? Optional.empty() : Optional.of("zeroRttMsg=REQUIRE needs TCP Fast Open, and"
                    + " this system accepts no Fast Open SYNs (Linux epoll with net.ipv4.tcp_fastopen bit 2 set)");
        }
        if (!clientAvailable()) {
            return Optional.of("zeroRttMsg=REQUIRE needs TCP Fast Open, and this system sends no Fast Open SYNs"
                    + " (Linux epoll with net.ipv4.tcp_fastopen bit 1 set)");
        }
        if (Boolean.TRUE.equals(use.properties().get(Property.ISOLATE_SESSION))) {
            return Optional.of("zeroRttMsg=REQUIRE needs TCP Fast Open, whose cookies the kernel shares between"
                    + " every socket of the network namespace, so an isolateSession Connection cannot use it");
        }
        return Optional.empty();
    }

    /**
     * Queues the attempt's early data on a client channel before it connects, so that Netty's
     * Fast Open connect puts it in the SYN (a cookie is cached) or sends it right after the
     * handshake (no cookie yet: the SYN asks for one). Either way the Message is sent exactly once,
     * by this attempt; the attempt records whether it went in the SYN.
     */
    static final class ClientWrite extends ChannelInboundHandlerAdapter {
        private final TapsAttempt attempt;
        private final ByteBuffer data;
        private ChannelFuture written;
        private long handshakeDeadline;
        /** The SYN left with the data and the handshake has not been seen complete yet. */
        private boolean awaitingHandshake;

        ClientWrite(TapsAttempt attempt, ByteBuffer data) {
            this.attempt = attempt;
            this.data = data;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().attr(ENABLED).set(true);
            ByteBuf buffer = ctx.alloc().directBuffer(data.remaining());
            buffer.writeBytes(data.duplicate());
            // Not flushed: the Fast Open connect takes the first queued buffer for the SYN.
            written = ctx.write(buffer);
            attempt.handedEarly();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Done before the flush: only then does a written Message mean it left in the SYN.
            boolean inSyn = written.isDone() && written.isSuccess();
            ctx.flush();
            if (inSyn) {
                // Netty's Fast Open connect reports the channel active as soon as the SYN left with
                // the data. The attempt is ready only once the handshake completed, as on every
                // other stack, so that a server that is gone fails the attempt (and the race goes
                // on) instead of failing the Connection after Ready.
                attempt.sentEarly();
                handshakeDeadline = System.nanoTime() + attempt.timeout().toNanos();
                awaitingHandshake = true;
                awaitHandshake(ctx, FIRST_CHECK_NANOS);
                return;
            }
            // Without a cookie this was an ordinary connect; the data went out with the flush.
            ready(ctx);
        }

        /**
         * Checks the socket's TCP state until the SYN-ACK came (ESTABLISHED), with growing pauses:
         * the kernel raises no event for it that Netty passes on, since nothing is left to write.
         * A refused or reset SYN fails the attempt; one left unanswered is bounded by the
         * attempt's timeout like any connect.
         */
        private void awaitHandshake(ChannelHandlerContext ctx, long pauseNanos) {
            if (ctx.isRemoved() || !ctx.channel().isOpen() || attempt.outcome().isDone()) {
                return;
            }
            int state;
            try {
                state = TcpInfos.read((EpollSocketChannel) ctx.channel()).state();
            } catch (RuntimeException closed) {
                return;
            }
            if (state == TCP_ESTABLISHED) {
                ready(ctx);
            } else if (state == TCP_SYN_SENT && System.nanoTime() - handshakeDeadline > 0) {
                attempt.fail(new io.netty.channel.ConnectTimeoutException("TCP Fast Open SYN to "
                        + ctx.channel().remoteAddress() + " unanswered within " + attempt.timeout()));
                ctx.close();
            } else if (state == TCP_SYN_SENT) {
                ctx.executor().schedule(() -> awaitHandshake(ctx, Math.min(pauseNanos * 2, LAST_CHECK_NANOS)),
                        pauseNanos, TimeUnit.NANOSECONDS);
            } else {
                attempt.fail(new ConnectException("TCP Fast Open SYN to " + ctx.channel().remoteAddress()
                        + " was refused (TCP state " + state + ")"));
                ctx.close();
            }
        }

        /**
         * The peer's first bytes (typically its answer to the SYN's data) can only follow its
         * SYN-ACK: the handshake is checked at once then, rather than at the next pause of
         * {@link #awaitHandshake}, which may be up to twice a round trip away. The bytes go on
         * after the attempt was reported ready; the connection holds them until it adopts the channel.
         */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (awaitingHandshake && !attempt.outcome().isDone()) {
                try {
                    if (TcpInfos.read((EpollSocketChannel) ctx.channel()).state() == TCP_ESTABLISHED) {
                        ready(ctx);
                    }
                } catch (RuntimeException closed) {
                    // The channel is closing: its inactivity fails the attempt.
                }
            }
            ctx.fireChannelRead(msg);
        }

        private void ready(ChannelHandlerContext ctx) {
            awaitingHandshake = false;
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }

    /** Linux TCP states (include/net/tcp_states.h) the handshake check tells apart. */
    private static final int TCP_ESTABLISHED = 1;
    private static final int TCP_SYN_SENT = 2;
    /** The first look comes after about one loopback round trip; pauses double up to a 10 ms cap. */
    private static final long FIRST_CHECK_NANOS = 20_000;
    private static final long LAST_CHECK_NANOS = 10_000_000;

    /**
     * On an accepted epoll channel, before anything was read: how many of its first bytes count as
     * early data, by the kernel's tcp_info: none unless the SYN carried data (TCPI_OPT_SYN_DATA),
     * else every byte received so far, which is the SYN's data and whatever followed it before the
     * accept (the kernel keeps no separate count of the SYN's bytes).
     */
    static long synDataBytes(Channel accepted) {
        if (!(accepted instanceof EpollSocketChannel)) {
            return 0;
        }
        try {
            int fd = ((EpollSocketChannel) accepted).fd().intValue();
            byte[] info = new byte[TCP_INFO_LENGTH];
            IntByReference length = new IntByReference(info.length);
            if (LibC.INSTANCE.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, length) != 0
                    || length.getValue() < BYTES_RECEIVED_OFFSET + 8) {
                return 0;
            }
            ByteBuffer view = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
            if ((view.get(OPTIONS_OFFSET) & TCPI_OPT_SYN_DATA) == 0) {
                return 0;
            }
            // The kernel does not keep the SYN's own length: bytes that followed it before this
            // accept count too. Marking too much is the safe side, since isEarlyData tells the
            // application to treat a Message as one that may be replayed.
            return view.getLong(BYTES_RECEIVED_OFFSET);
        } catch (Throwable unavailable) {
            return 0;
        }
    }

    /** The one libc call Netty does not expose: getsockopt(TCP_INFO) with the fields taps needs. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int getsockopt(int fd, int level, int name, byte[] value, IntByReference length);
    }
}
