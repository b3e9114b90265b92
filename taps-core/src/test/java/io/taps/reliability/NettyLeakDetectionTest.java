package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The leak guard of the reliability suite fails a test that leaks a buffer, and only then. */
class NettyLeakDetectionTest {

    @Test
    void aTestThatLeaksABufferFailsAndOneThatReleasesPasses() {
        NettyLeakDetection guard = new NettyLeakDetection();
        ExtensionContext context = context("leaky test");
        guard.beforeAll(context);
        try {
            guard.beforeEach(context);
            ByteBufAllocator.DEFAULT.buffer(16).writeByte(1).release();
            assertThatCode(() -> guard.afterEach(context)).doesNotThrowAnyException();

            guard.beforeEach(context);
            leakOneBuffer();
            assertThatThrownBy(() -> guard.afterEach(context)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("leaked buffer").hasMessageContaining("leaky test")
                    .hasMessageContaining("leakOneBuffer");
        } finally {
            guard.afterAll(context);
        }
    }

    /** Allocates a buffer and forgets it unreleased; Netty reports it once it is collected. */
    private static void leakOneBuffer() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(15L);
    }

    private static ExtensionContext context(String displayName) {
        return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getDisplayName")) {
                        return displayName;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
