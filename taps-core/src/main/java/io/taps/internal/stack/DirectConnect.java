package io.taps.internal.stack;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Opens one client channel of an attempt with the steps of Netty's {@link Bootstrap#connect}: a new
 * channel from the factory, the handler added, the options set (an unknown or refused option only
 * logged), registration on the attempt's loop, name resolution only for an unresolved address (with
 * Bootstrap's default resolver), then the connect from a task on the loop, so that it comes after
 * {@code channelRegistered} as with Bootstrap; the channel is closed on any failure. A Bootstrap
 * per attempt built a config, two LinkedHashMaps and their entry arrays for a handful of options
 * (3.5% of the bytes of a TCP connect + close, issue 21); this is one object per attempt, which is
 * both the connect task and the listener of registration and connect.
 */
final class DirectConnect implements Runnable, ChannelFutureListener {
    /** Bootstrap's own logger, so an option a channel refuses is reported as before. */
    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(Bootstrap.class);

    private final TapsAttempt attempt;
    private final Channel channel;
    private final InetSocketAddress local;
    private SocketAddress remote;
    private ChannelPromise connecting;

    private DirectConnect(TapsAttempt attempt, Channel channel, SocketAddress remote, InetSocketAddress local) {
        this.attempt = attempt;
        this.channel = channel;
        this.remote = remote;
        this.local = local;
    }

    /** A new channel from {@code factory} with {@code handler} in its pipeline, or null when that failed (the attempt then failed). */
    static Channel newChannel(TapsAttempt attempt, ChannelFactory<? extends Channel> factory, ChannelHandler handler) {
        Channel channel;
        try {
            channel = factory.newChannel();
        } catch (Throwable failure) {
            // e.g. "too many open files"
            attempt.fail(failure);
            return null;
        }
        try {
            channel.pipeline().addLast(handler);
        } catch (Throwable failure) {
            channel.unsafe().closeForcibly();
            attempt.fail(failure);
            return null;
        }
        return channel;
    }

    /** Sets {@code option} as Bootstrap does: a channel that does not know it or refuses the value only logs a warning. */
    @SuppressWarnings("unchecked")
    static void option(Channel channel, ChannelOption<?> option, Object value) {
        try {
            if (!channel.config().setOption((ChannelOption<Object>) option, value)) {
                LOGGER.warn("Unknown channel option '{}' for channel '{}' of type '{}'", option, channel,
                        channel.getClass());
            }
        } catch (Throwable t) {
            LOGGER.warn("Failed to set channel option '{}' with value '{}' for channel '{}' of type '{}'", option, value,
                    channel, channel.getClass(), t);
        }
    }

    /**
     * Registers {@code channel} (from {@link #newChannel}, options set) on the attempt's loop and
     * connects it to {@code remote} from {@code local} (null: any); a failure fails the attempt, and
     * cancelling the attempt closes the channel.
     */
    static void registerAndConnect(TapsAttempt attempt, Channel channel, InetSocketAddress remote,
            InetSocketAddress local) {
        DirectConnect connect = new DirectConnect(attempt, channel, remote, local);
        ChannelFuture registration = attempt.eventLoop().register(channel);
        if (registration.isDone()) {
            connect.registered(registration);
        } else {
            registration.addListener(connect);
        }
        attempt.onCancel(channel::close);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (future == connecting) {
            if (!future.isSuccess()) {
                attempt.fail(future.cause());
                channel.close();
            }
        } else {
            registered(future);
        }
    }

    private void registered(ChannelFuture registration) {
        Throwable cause = registration.cause();
        if (cause != null) {
            if (channel.isRegistered()) {
                channel.close();
            } else {
                channel.unsafe().closeForcibly();
            }
            attempt.fail(cause);
            return;
        }
        try {
            if (remote instanceof InetSocketAddress && ((InetSocketAddress) remote).isUnresolved()) {
                resolveThenConnect();
            } else {
                connect();
            }
        } catch (Throwable failure) {
            channel.close();
            attempt.fail(failure);
        }
    }

    /** As Bootstrap with its default resolver: only a proxy named by host name comes here. */
    private void resolveThenConnect() {
        AddressResolver<InetSocketAddress> resolver;
        try {
            resolver = DefaultAddressResolverGroup.INSTANCE.getResolver(channel.eventLoop());
        } catch (Throwable failure) {
            channel.close();
            attempt.fail(failure);
            return;
        }
        if (!resolver.isSupported(remote) || resolver.isResolved(remote)) {
            connect();
            return;
        }
        Future<InetSocketAddress> resolving = resolver.resolve(remote);
        if (resolving.isDone()) {
            resolved(resolving);
        } else {
            resolving.addListener(done -> resolved(resolving));
        }
    }

    private void resolved(Future<InetSocketAddress> resolving) {
        Throwable cause = resolving.cause();
        if (cause != null) {
            channel.close();
            attempt.fail(cause);
            return;
        }
        remote = resolving.getNow();
        connect();
    }

    private void connect() {
        connecting = channel.newPromise();
        connecting.addListener(this);
        // A task, as Bootstrap does: handlers see channelRegistered before the connect.
        channel.eventLoop().execute(this);
    }

    @Override
    public void run() {
        if (local == null) {
            channel.connect(remote, connecting);
        } else {
            channel.connect(remote, local, connecting);
        }
    }
}
