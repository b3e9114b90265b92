package io.taps.internal.transport;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interface events from the Linux kernel as they happen (RFC 9622 §8.3.2 PathChange; RFC 9623 §7.2;
 * design.md Q-20): an rtnetlink socket ({@code socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)} through
 * JNA) subscribed to the link, IPv4 address and IPv6 address groups, registered on one of the
 * engine's epoll event loops as an {@link EpollIoHandle}. No thread of its own: when the socket is
 * readable the loop drains it (a few hundred bytes per event, no system call beyond the reads) and
 * asks the path monitor ({@code io.taps.internal.path.PathMonitor#refreshSoon}) for a debounced refresh, which re-reads the interfaces on the
 * monitor's thread. A receive buffer overflow ({@code ENOBUFS}: events were lost) asks for the same
 * refresh, which is a full re-dump of the interfaces, so nothing lost is missed.
 *
 * <p>Route events are not subscribed: the path monitor compares interfaces and addresses, which a
 * route change does not alter. Only on Linux with the native epoll transport; elsewhere
 * {@link #start} returns null and the polling monitor alone reports changes.
 */
public final class NetlinkPathEvents implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkPathEvents.class);

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV6_IFADDR = 0x100;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int ENOBUFS = 105;
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int NLMSG_OVERRUN = 4;
    private static final int BUFFER = 64 * 1024;

    /** The C library calls Netty does not offer for netlink. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] address, int length) throws LastErrorException;

        int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;
    }

    private final FileDescriptor fd;
    private final Runnable changed;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.nativeOrder());
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private volatile IoRegistration registration;

    private NetlinkPathEvents(FileDescriptor fd, Runnable changed) {
        this.fd = fd;
        this.changed = changed;
    }

    /**
     * Subscribes and registers on an epoll loop of {@code group}; {@code changed} runs on that loop
     * for every batch of interface events (it must only schedule work). Null when this platform or
     * transport has no rtnetlink on epoll, or the socket cannot be opened (then the caller polls).
     */
    public static NetlinkPathEvents start(EventLoopGroup group, Runnable changed) {
        if (!Platform.isLinux() || !(group.next() instanceof IoEventLoop loop) || !loop.isCompatible(EpollIoHandle.class)) {
            return null;
        }
        int socket;
        try {
            LibC libc = Native.load("c", LibC.class);
            socket = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
            try {
                libc.setsockopt(socket, SOL_SOCKET, SO_RCVBUF, new int[] {256 * 1024}, 4);
                libc.bind(socket, address(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR), 12);
            } catch (LastErrorException | UnsatisfiedLinkError e) {
                new FileDescriptor(socket).close();
                throw e;
            }
        } catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError | IOException e) {
            LOG.debug("rtnetlink path events unavailable, the path monitor polls only: {}", e.toString());
            return null;
        }
        NetlinkPathEvents events = new NetlinkPathEvents(new FileDescriptor(socket), changed);
        try {
            IoRegistration registration = loop.register(events).syncUninterruptibly().getNow();
            events.registration = registration;
            registration.submit(EpollIoOps.EPOLLIN);
        } catch (RuntimeException e) {
            events.closeQuietly();
            LOG.debug("cannot register the rtnetlink socket on the event loop: {}", e.toString());
            return null;
        }
        return events;
    }

    /** {@code struct sockaddr_nl} (netlink(7)): family, padding, port id 0 (the kernel picks), groups. */
    static byte[] address(int groups) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups);
        return b.array();
    }

    /** How many link and address messages arrived. */
    public long events() {
        return events.get();
    }

    /** How many times the kernel dropped events because the receive buffer was full. */
    public long overflows() {
        return overflows.get();
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** Runs on the event loop when the socket is readable: drain it, then one refresh request. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        boolean relevant = false;
        for (int round = 0; round < 64; round++) {
            int read;
            try {
                read = fd.read(buffer, 0, buffer.capacity());
            } catch (Errors.NativeIoException e) {
                if (-e.expectedErr() == ENOBUFS || e.expectedErr() == ENOBUFS) {
                    // Events were lost: the refresh re-reads everything, which is the re-dump.
                    overflows.incrementAndGet();
                    relevant = true;
                    continue;
                }
                LOG.debug("rtnetlink read failed: {}", e.toString());
                break;
            } catch (IOException e) {
                LOG.debug("rtnetlink read failed: {}", e.toString());
                break;
            }
            if (read <= 0) {
                break; // EAGAIN: drained
            }
            relevant |= scan(buffer, read);
        }
        if (relevant) {
            changed.run();
        }
    }

    /** Whether the datagram holds a link or address message (or an overrun notice). */
    private boolean scan(ByteBuffer datagram, int length) {
        boolean relevant = false;
        int offset = 0;
        while (offset + 16 <= length) {
            int messageLength = datagram.getInt(offset);
            int type = datagram.getShort(offset + 4) & 0xffff;
            if (type == RTM_NEWLINK || type == RTM_DELLINK || type == RTM_NEWADDR || type == RTM_DELADDR) {
                events.incrementAndGet();
                relevant = true;
            } else if (type == NLMSG_OVERRUN) {
                overflows.incrementAndGet();
                relevant = true;
            }
            if (messageLength < 16) {
                break;
            }
            offset += (messageLength + 3) & ~3;
        }
        return relevant;
    }

    /** Deregisters and closes the socket, on the loop. */
    public void stop() {
        IoRegistration current = registration;
        if (current != null) {
            current.cancel();
        } else {
            closeQuietly();
        }
    }

    @Override
    public void unregistered() {
        closeQuietly();
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            fd.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
