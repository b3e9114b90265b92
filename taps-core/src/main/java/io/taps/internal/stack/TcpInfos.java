package io.taps.internal.stack;

import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * TCP_INFO reads into one {@link EpollTcpInfo} per thread: {@link EpollSocketChannel#tcpInfo()}
 * makes a new one, with its 32-long array, per call (3% of the bytes of a TCP connect + close,
 * which reads the RTT once, issue 21). A caller reads what it needs before its thread reads again.
 * Only loaded where a channel is an {@link EpollSocketChannel}, so epoll's classes are never needed
 * elsewhere.
 */
final class TcpInfos {
    private static final FastThreadLocal<EpollTcpInfo> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected EpollTcpInfo initialValue() {
            return new EpollTcpInfo();
        }
    };

    private TcpInfos() {
    }

    /** {@code channel}'s TCP_INFO now, in this thread's reused holder. */
    static EpollTcpInfo read(EpollSocketChannel channel) {
        return channel.tcpInfo(PER_THREAD.get());
    }
}
