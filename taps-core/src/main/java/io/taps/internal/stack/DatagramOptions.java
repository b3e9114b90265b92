package io.taps.internal.stack;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * IP-level treatment of single datagrams on a connected UDP socket, through socket options the
 * native epoll transport passes to setsockopt/getsockopt (Linux values from {@code <linux/in.h>}
 * and {@code <linux/in6.h>}):
 * <ul>
 *   <li>singularTransmissionMsgMaxLen (RFC 9622 §8.1.11.4): the path MTU the kernel holds for the
 *       connected socket (IP_MTU, IPV6_MTU) less the IP and UDP headers;</li>
 *   <li>noFragmentation/noSegmentation (§9.1.3.9, §9.1.3.10): the DF bit through
 *       IP_MTU_DISCOVER/IPV6_MTU_DISCOVER = PMTUDISC_DO, so the kernel never fragments the
 *       datagram (a path MTU that shrank meanwhile fails the write with EMSGSIZE instead);</li>
 *   <li>msgCapacityProfile (§9.1.3.8): the DSCP of one datagram through IP_TOS (Netty also sets
 *       IPV6_TCLASS on an IPv6 socket).</li>
 * </ul>
 * Per-datagram options are set, the datagram is written and flushed, and the socket's previous
 * values are restored, all on the event loop. If the socket buffer is full at that moment the
 * datagram leaves later with the socket's own values; on NIO (no socket options by number) the
 * options are not set and the path MTU is unknown, so the largest UDP payload is reported.
 */
public final class DatagramOptions {
    private static final IntegerUnixChannelOption IP_MTU = new IntegerUnixChannelOption("IP_MTU", 0, 14);
    private static final IntegerUnixChannelOption IPV6_MTU = new IntegerUnixChannelOption("IPV6_MTU", 41, 24);
    private static final IntegerUnixChannelOption IP_MTU_DISCOVER =
            new IntegerUnixChannelOption("IP_MTU_DISCOVER", 0, 10);
    private static final IntegerUnixChannelOption IPV6_MTU_DISCOVER =
            new IntegerUnixChannelOption("IPV6_MTU_DISCOVER", 41, 23);
    /** IP_PMTUDISC_DO and IPV6_PMTUDISC_DO: always set DF, never fragment locally. */
    private static final int PMTUDISC_DO = 2;
    private static final int IPV4_UDP_HEADERS = 20 + 8;
    private static final int IPV6_UDP_HEADERS = 40 + 8;

    private DatagramOptions() {
    }

    /** The largest payload that fits the path MTU to {@code remote}, at most {@code largest}. */
    public static int singularPayload(Channel channel, InetSocketAddress remote, int largest) {
        if (remote == null || !channel.isOpen()) {
            return largest;
        }
        boolean v4 = remote.getAddress() instanceof Inet4Address;
        Integer mtu = read(channel, v4 ? IP_MTU : IPV6_MTU);
        if (mtu == null || mtu <= 0) {
            return largest;
        }
        return Math.max(0, Math.min(largest, mtu - (v4 ? IPV4_UDP_HEADERS : IPV6_UDP_HEADERS)));
    }

    /** Writes and flushes {@code data} with DSCP {@code dscp} (-1: unchanged) and DF when asked. */
    static ChannelFuture writeWith(Channel channel, ByteBuf data, int dscp, boolean dontFragment) {
        channel.flush(); // what is already queued leaves with the socket's own values
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        IntegerUnixChannelOption discover = remote != null && remote.getAddress() instanceof Inet4Address
                ? IP_MTU_DISCOVER : IPV6_MTU_DISCOVER;
        Integer previousTos = dscp >= 0 ? read(channel, ChannelOption.IP_TOS) : null;
        Integer previousDiscover = dontFragment ? read(channel, discover) : null;
        try {
            if (previousTos != null) {
                channel.config().setOption(ChannelOption.IP_TOS, dscp << 2);
            }
            if (previousDiscover != null) {
                channel.config().setOption(discover, PMTUDISC_DO);
            }
            ChannelFuture written = channel.write(data);
            channel.flush();
            return written;
        } finally {
            if (previousTos != null) {
                set(channel, ChannelOption.IP_TOS, previousTos);
            }
            if (previousDiscover != null) {
                set(channel, discover, previousDiscover);
            }
        }
    }

    private static Integer read(Channel channel, ChannelOption<Integer> option) {
        try {
            return channel.config().getOption(option);
        } catch (RuntimeException | LinkageError unavailable) {
            return null; // NIO, or the socket closed meanwhile
        }
    }

    private static void set(Channel channel, ChannelOption<Integer> option, int value) {
        try {
            channel.config().setOption(option, value);
        } catch (RuntimeException closed) {
            // The socket closed meanwhile: nothing is left to restore.
        }
    }
}
