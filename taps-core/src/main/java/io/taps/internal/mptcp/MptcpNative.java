package io.taps.internal.mptcp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.netty.channel.socket.SocketProtocolFamily;
import java.util.Locale;
import java.util.Optional;

/**
 * The Linux system calls MPTCP needs and the JDK lacks (RFC 8684; kernel docs
 * "networking/mptcp"): a stream socket of protocol IPPROTO_MPTCP, moved onto the descriptor of a
 * Netty epoll channel with dup3 (so Netty's public channel classes run it unchanged), and the
 * socket options that say whether the peer speaks MPTCP ({@code TCP_IS_MPTCP}) and how many
 * subflows and announced addresses the connection has ({@code MPTCP_INFO}). Every call is one
 * short, non-blocking system call, so it may run on an event loop.
 */
final class MptcpNative {
    static final int IPPROTO_MPTCP = 262;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SOL_TCP = 6;
    private static final int TCP_IS_MPTCP = 43;
    private static final int SOL_MPTCP = 284;
    private static final int MPTCP_INFO = 1;
    private static final int MPTCP_INFO_FLAG_FALLBACK = 1;
    private static final int ENOPROTOOPT = 92;
    private static final int EPROTONOSUPPORT = 93;
    private static final int EAFNOSUPPORT = 97;

    /** The C library, as JNA maps it; errors come back as LastErrorException with errno. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int dup3(int oldFd, int newFd, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int getsockopt(int fd, int level, int name, Pointer value, IntByReference length) throws LastErrorException;
    }

    /** What MPTCP_INFO says about one connection. */
    record Info(int subflows, int addAddrSignal, int addAddrAccepted, int addAddrSignalMax, boolean fallback) {
    }

    /** How often a system asked whether it can open MPTCP sockets (tests: a TCP Listener never asks). */
    static final java.util.concurrent.atomic.AtomicLong PROBES = new java.util.concurrent.atomic.AtomicLong();

    private MptcpNative() {
    }

    /** The C library, or why it cannot be used; loaded once, on first use. */
    private static final class Holder {
        static final LibC LIBC;
        static final String FAILURE;

        static {
            LibC libc = null;
            String failure = null;
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                failure = "MPTCP sockets need Linux (this is " + System.getProperty("os.name") + ")";
            } else {
                try {
                    libc = Native.load("c", LibC.class);
                } catch (LinkageError | RuntimeException unavailable) {
                    failure = "JNA cannot load the C library for MPTCP sockets: " + unavailable;
                }
            }
            LIBC = libc;
            FAILURE = failure;
        }
    }

    /**
     * Why this process cannot open an MPTCP socket now, or empty when it can: asks the kernel
     * (one socket and close), since {@code net.mptcp.enabled} is per network namespace and may change.
     */
    static Optional<String> unavailableReason() {
        PROBES.incrementAndGet();
        if (Holder.LIBC == null) {
            return Optional.of(Holder.FAILURE);
        }
        try {
            Holder.LIBC.close(Holder.LIBC.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP));
            return Optional.empty();
        } catch (LastErrorException refused) {
            return Optional.of(refusal(refused.getErrorCode()));
        }
    }

    /** Why socket(..., IPPROTO_MPTCP) failed with {@code errno}, in words an operator can act on. */
    static String refusal(int errno) {
        switch (errno) {
            case ENOPROTOOPT:
                return "the kernel refuses MPTCP sockets (ENOPROTOOPT: net.mptcp.enabled=0 in this network namespace)";
            case EPROTONOSUPPORT:
                return "the kernel has no MPTCP (EPROTONOSUPPORT: built without CONFIG_MPTCP)";
            case EAFNOSUPPORT:
                return "the kernel has no MPTCP for this address family (EAFNOSUPPORT)";
            default:
                return "the kernel refuses MPTCP sockets (socket(IPPROTO_MPTCP) failed with errno " + errno + ")";
        }
    }

    /**
     * Replaces the socket behind descriptor {@code fd} (a fresh, unconnected Netty epoll socket of
     * {@code family}) by a new non-blocking MPTCP socket of the same family, keeping the number, so
     * the Netty channel that owns {@code fd} now drives MPTCP.
     *
     * @throws IllegalStateException naming the kernel's refusal
     */
    static void replace(int fd, SocketProtocolFamily family) {
        if (Holder.LIBC == null) {
            throw new IllegalStateException(Holder.FAILURE);
        }
        int domain = family == SocketProtocolFamily.INET6 ? AF_INET6 : AF_INET;
        int mptcp;
        try {
            mptcp = Holder.LIBC.socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MPTCP);
        } catch (LastErrorException refused) {
            throw new IllegalStateException(refusal(refused.getErrorCode()), refused);
        }
        try {
            // dup3 closes the plain TCP socket that was at fd and puts the MPTCP one there.
            Holder.LIBC.dup3(mptcp, fd, O_CLOEXEC);
        } catch (LastErrorException failed) {
            throw new IllegalStateException("cannot install the MPTCP socket (dup3 errno " + failed.getErrorCode()
                    + ")", failed);
        } finally {
            Holder.LIBC.close(mptcp);
        }
    }

    /**
     * Whether the connected socket {@code fd} runs MPTCP with its peer ({@code TCP_IS_MPTCP}, Linux
     * 5.16+): false for a plain TCP socket and for an MPTCP socket that fell back to TCP; empty when
     * the kernel cannot say.
     */
    static Optional<Boolean> isMptcp(int fd) {
        if (Holder.LIBC == null) {
            return Optional.empty();
        }
        try (Memory value = new Memory(4)) {
            IntByReference length = new IntByReference(4);
            Holder.LIBC.getsockopt(fd, SOL_TCP, TCP_IS_MPTCP, value, length);
            return Optional.of(value.getInt(0) != 0);
        } catch (LastErrorException unknown) {
            return Optional.empty();
        }
    }

    /** MPTCP_INFO of {@code fd}, or empty for a socket that is not (or no longer) an MPTCP connection. */
    static Optional<Info> info(int fd) {
        if (Holder.LIBC == null) {
            return Optional.empty();
        }
        try (Memory value = new Memory(256)) {
            value.clear();
            IntByReference length = new IntByReference(256);
            Holder.LIBC.getsockopt(fd, SOL_MPTCP, MPTCP_INFO, value, length);
            if (length.getValue() < 12) {
                return Optional.empty();
            }
            return Optional.of(new Info(value.getByte(0) & 0xff, value.getByte(1) & 0xff, value.getByte(2) & 0xff,
                    value.getByte(4) & 0xff, (value.getInt(8) & MPTCP_INFO_FLAG_FALLBACK) != 0));
        } catch (LastErrorException notMptcp) {
            return Optional.empty();
        }
    }
}
