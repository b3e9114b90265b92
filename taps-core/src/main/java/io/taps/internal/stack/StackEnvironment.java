package io.taps.internal.stack;

import io.netty.channel.EventLoopGroup;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.transport.IoTransport;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What every protocol stack of one running system shares (design.md Q-15): the event loops, the
 * I/O transport (epoll or NIO), where events are delivered, the tracker that lets shutdown see
 * every Connection a stack opens later on its own (a QUIC stream a clone opens), and the executor
 * for work that must not run on an event loop (building a TLS context, reading the interfaces;
 * see {@code BlockingWork}).
 */
public record StackEnvironment(EventLoopGroup group, IoTransport transport, Executor eventExecutor,
        Consumer<TapsConnection> tracker, Executor blocking) {
}
