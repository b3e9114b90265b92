package io.taps.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.taps.TransportServicesException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello check of a TLS server with ALPN (RFC 7301 §3.2), on real ClientHellos from JSSE:
 * no common protocol gives the fatal no_application_protocol alert record and a closed channel; a
 * common protocol, or no ALPN at all, passes the ClientHello on unchanged.
 */
class AlpnGuardTest {
    static ByteBuf clientHello(String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("example.test", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    static final class Behind extends ChannelInboundHandlerAdapter {
        ByteBuf received = Unpooled.buffer();

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            received.writeBytes((ByteBuf) msg);
            ((ByteBuf) msg).release();
        }
    }

    @Test
    void noCommonProtocolIsAnsweredWithTheFatalAlertAndClosed() throws Exception {
        AtomicReference<TransportServicesException> rejected = new AtomicReference<>();
        Behind behind = new Behind();
        EmbeddedChannel channel = new EmbeddedChannel(new AlpnGuard(List.of("taps/1"), rejected::set), behind);
        channel.writeInbound(clientHello("other/1", "other/2"));
        ByteBuf alert = channel.readOutbound();
        assertThat(ByteBufUtil.hexDump(alert)).isEqualTo("15030300020278");
        alert.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected.get().getMessage()).contains("[other/1, other/2]").contains("[taps/1]");
        assertThat(behind.received.readableBytes()).isZero();
    }

    @Test
    void aCommonProtocolOrNoAlpnPassesTheClientHelloOn() throws Exception {
        for (String[] offered : new String[][] {{"other/1", "taps/1"}, {}}) {
            AtomicReference<TransportServicesException> rejected = new AtomicReference<>();
            Behind behind = new Behind();
            EmbeddedChannel channel = new EmbeddedChannel(new AlpnGuard(List.of("taps/1"), rejected::set), behind);
            ByteBuf hello = clientHello(offered);
            ByteBuf copy = hello.copy();
            channel.writeInbound(hello);
            assertThat(rejected.get()).isNull();
            assertThat((Object) channel.readOutbound()).isNull();
            assertThat(ByteBufUtil.equals(behind.received, copy)).isTrue();
            assertThat(channel.pipeline().get(AlpnGuard.class)).isNull();
            channel.finishAndReleaseAll();
        }
    }
}
