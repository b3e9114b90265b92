package io.taps.internal.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Reads the first record of a datagram from an unknown peer as a DTLS 1.x ClientHello (RFC 6347
 * §4.1, §4.2.2, §4.3.2) without any state: whether it is one, unfragmented, in a single record, and
 * how long its cookie is. {@link #withoutCookie} rebuilds the cookie-less first ClientHello the
 * peer must have sent before (RFC 6347 §4.2.1: the second differs only in the cookie), so a fresh
 * engine can be brought to the state in which it checks the cookie.
 */
final class DtlsClientHello {
    private static final int RECORD_HEADER = 13;
    private static final int HANDSHAKE_HEADER = 12;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    /** HelloVerifyRequest handshake type (RFC 6347 §4.2.1). */
    static final int HELLO_VERIFY_REQUEST = 3;

    private DtlsClientHello() {
    }

    /** The ClientHello's cookie length, or -1 when the datagram does not start with a whole DTLS ClientHello. */
    static int cookieLength(ByteBuf datagram) {
        int start = datagram.readerIndex();
        int available = datagram.readableBytes();
        if (available < RECORD_HEADER + HANDSHAKE_HEADER + 2 + 32 + 2
                || datagram.getUnsignedByte(start) != CONTENT_HANDSHAKE
                || datagram.getUnsignedByte(start + 1) != 0xfe
                || datagram.getUnsignedShort(start + 3) != 0) {
            return -1;
        }
        int recordLength = datagram.getUnsignedShort(start + 11);
        if (RECORD_HEADER + recordLength > available || recordLength < HANDSHAKE_HEADER) {
            return -1;
        }
        int hs = start + RECORD_HEADER;
        int length = datagram.getUnsignedMedium(hs + 1);
        if (datagram.getUnsignedByte(hs) != CLIENT_HELLO || datagram.getUnsignedMedium(hs + 6) != 0
                || datagram.getUnsignedMedium(hs + 9) != length || length + HANDSHAKE_HEADER != recordLength) {
            return -1;
        }
        int sessionIdAt = hs + HANDSHAKE_HEADER + 2 + 32;
        int cookieAt = sessionIdAt + 1 + datagram.getUnsignedByte(sessionIdAt);
        if (cookieAt >= start + RECORD_HEADER + recordLength) {
            return -1;
        }
        int cookie = datagram.getUnsignedByte(cookieAt);
        return cookieAt + 1 + cookie <= start + RECORD_HEADER + recordLength ? cookie : -1;
    }

    /** The handshake type of the first record of an outgoing flight, or -1. */
    static int handshakeType(ByteBuf datagram) {
        int start = datagram.readerIndex();
        return datagram.readableBytes() > RECORD_HEADER && datagram.getUnsignedByte(start) == CONTENT_HANDSHAKE
                ? datagram.getUnsignedByte(start + RECORD_HEADER) : -1;
    }

    /**
     * The first record of {@code datagram} (a ClientHello with a cookie, {@link #cookieLength} &gt; 0)
     * as the initial ClientHello: empty cookie, message_seq 0, record sequence 0.
     */
    static ByteBuf withoutCookie(ByteBuf datagram, ByteBufAllocator alloc) {
        int start = datagram.readerIndex();
        int recordLength = datagram.getUnsignedShort(start + 11);
        int hs = start + RECORD_HEADER;
        int sessionIdAt = hs + HANDSHAKE_HEADER + 2 + 32;
        int cookieAt = sessionIdAt + 1 + datagram.getUnsignedByte(sessionIdAt);
        int cookie = datagram.getUnsignedByte(cookieAt);
        int newRecordLength = recordLength - cookie;
        int bodyLength = newRecordLength - HANDSHAKE_HEADER;
        ByteBuf out = alloc.buffer(RECORD_HEADER + newRecordLength);
        out.writeBytes(datagram, start, 3);          // content type, version
        out.writeShort(0).writeZero(6);              // epoch 0, sequence 0
        out.writeShort(newRecordLength);
        out.writeByte(CLIENT_HELLO).writeMedium(bodyLength);
        out.writeShort(0);                           // message_seq of the first ClientHello
        out.writeMedium(0).writeMedium(bodyLength);  // one whole fragment
        out.writeBytes(datagram, hs + HANDSHAKE_HEADER, cookieAt - (hs + HANDSHAKE_HEADER));
        out.writeByte(0);                            // no cookie
        int rest = cookieAt + 1 + cookie;
        out.writeBytes(datagram, rest, start + RECORD_HEADER + recordLength - rest);
        return out;
    }
}
