package io.taps.internal.dtls;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.security.DtlsContexts;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.TapsAttempt;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;

/**
 * One DTLS/UDP establishment attempt (RFC 9623 §4.4.1): a UDP channel connected to the remote
 * address, with {@link DtlsClientHandler} whose handshake is the attempt's stage. The context is
 * built off the event loop when it is not cached yet.
 */
final class DtlsConnector {
    private DtlsConnector() {
    }

    static void connect(TapsAttempt attempt) {
        SecurityParameters security = attempt.use().security();
        SSLContext cached = DtlsContexts.cachedClient(security);
        if (cached != null) {
            open(attempt, cached);
            return;
        }
        BlockingWork.supply(() -> DtlsContexts.forClient(security), attempt.environment().blocking())
                .whenComplete((context, failure) -> TapsAttempt.onLoop(attempt.eventLoop(), () -> {
                    if (failure != null) {
                        attempt.fail(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else if (!attempt.outcome().isDone()) {
                        open(attempt, context);
                    }
                }));
    }

    private static void open(TapsAttempt attempt, SSLContext context) {
        SecurityParameters security = attempt.use().security();
        InetSocketAddress remote = attempt.remote();
        Bootstrap bootstrap = new Bootstrap().group(attempt.eventLoop()).channel(attempt.datagramChannelType())
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        DtlsClientHandler dtls = new DtlsClientHandler(
                                DtlsContexts.newClientEngine(context, security, attempt.peerName(), remote.getPort()),
                                security, attempt.timeout());
                        channel.pipeline().addLast("dtls", dtls);
                        attempt.attach(channel, dtls.handshake(), attached -> new DtlsLink(attached, dtls));
                    }
                });
        InetSocketAddress local = attempt.local();
        ChannelFuture connecting = local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        attempt.onCancel(() -> connecting.channel().close());
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.fail(done.cause());
            }
        });
    }
}
