package io.taps.internal.transport;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Works around a Netty 4.2 epoll defect that ended half-closed TCP connections with
 * {@code epoll_ctl(..) failed with error(-2)} (issue 13, defect 2).
 *
 * <p>When a channel's interest set becomes empty, Netty's epoll registration removes the file
 * descriptor from the epoll set (EPOLL_CTL_DEL) but keeps believing it is added, so the next
 * interest change is an EPOLL_CTL_MOD of an unknown descriptor: ENOENT. A TCP channel's interest
 * set empties right after the peer's FIN (Netty clears EPOLLIN and EPOLLRDHUP) whenever no write is
 * pending; the next write that fills the socket buffer (EPOLLOUT) then fails and shuts the output
 * down, or resuming reads (EPOLLIN) closes the channel. That is every half-closed connection that
 * still sends a lot, the usual case for a request/response peer that ends its side first.
 *
 * <p>The guard replaces an empty interest set with "errors only, edge-triggered": the descriptor
 * stays registered, and nothing is reported that the kernel would not report anyway (EPOLLERR
 * and EPOLLHUP are always reported; edge triggering reports a hang-up once, not in a loop).
 *
 * <p>Still needed with Netty 4.2.19.Final (checked in its bytecode, session 19): in state Added,
 * {@code DefaultEpollIoRegistration.submit(NONE)} calls {@code epollCtlDel} and leaves the state
 * Added, so the next non-empty submit is an {@code epollCtlMod}. The deletion came with Netty PR
 * 16689 (a fix for endless wake-ups of a descriptor registered with mask 0, Netty issue 16683).
 * {@code EpollHalfClosedWriteTest} fails if the guard is not installed, and its canary fails once
 * Netty no longer has the defect, which is when this class can go.
 *
 * <p>The wrapper costs one 16-byte object per Connection. No per-class way around it was found:
 * a channel subclass can only add interest bits ({@code setFlag} is protected, {@code clearFlag} and
 * the {@code ops} field are not reachable outside Netty's package), and any bit kept set for good
 * would be level-triggered (Netty 4.2 has no edge-triggered mode), so a socket closed in both
 * directions but not yet closed by the application would report EPOLLHUP, which Netty's
 * {@code handle} ignores, on every epoll_wait: the spin of issue 16683 again. Repairing the
 * registration after the ENOENT needs Netty's private state (reflection), and accepted channels can
 * only be subclassed through package-private constructors.
 */
final class EpollRegistrationGuard implements IoHandlerFactory {
    private static final EpollIoOps ERRORS_ONLY = EpollIoOps.EPOLLERR.with(EpollIoOps.EPOLLET);

    private final IoHandlerFactory epoll = EpollIoHandler.newFactory();

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new GuardedHandler(epoll.newHandler(executor));
    }

    @Override
    public boolean isChangingThreadSupported() {
        return epoll.isChangingThreadSupported();
    }

    /** The interest set a registration is given instead of {@code ops}. */
    static IoOps neverEmpty(IoOps ops) {
        return ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == EpollIoOps.NONE.value() ? ERRORS_ONLY : ops;
    }

    private static final class GuardedHandler implements IoHandler {
        private final IoHandler delegate;

        GuardedHandler(IoHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return delegate.run(context);
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return new GuardedRegistration(delegate.register(handle));
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }

    private static final class GuardedRegistration implements IoRegistration {
        private final IoRegistration delegate;

        GuardedRegistration(IoRegistration delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            return delegate.submit(neverEmpty(ops));
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }
}
