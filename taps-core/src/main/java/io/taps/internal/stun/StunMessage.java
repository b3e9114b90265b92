package io.taps.internal.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One STUN message (RFC 8489 §5, §14): the Binding method only, with the attributes ICE needs
 * (RFC 8445 §16.1: PRIORITY, USE-CANDIDATE, ICE-CONTROLLED, ICE-CONTROLLING), XOR-MAPPED-ADDRESS,
 * USERNAME, ERROR-CODE, and the two integrity attributes: MESSAGE-INTEGRITY (HMAC-SHA1 with a
 * short-term credential, §14.5, §9.1) and FINGERPRINT (CRC-32 xor 0x5354554e, §14.7). Written by hand
 * because it is small: ice4j, the maintained Java ICE library, pulls in its own JNA version that
 * clashes with taps' JNA 5.19 (docs/rendezvous.md). Immutable; {@link #encode} writes the wire form,
 * {@link #decode} parses and checks the framing, and {@link #integrityValid} checks the integrity
 * over the bytes received.
 */
public final class StunMessage {
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int MAGIC_COOKIE = 0x2112A442;

    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;

    private static final int HEADER = 20;
    private static final int FINGERPRINT_XOR = 0x5354554e;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One attribute: its type and value (unpadded). */
    public record Attribute(int type, byte[] value) {
    }

    private final int type;
    private final byte[] transactionId;
    private final List<Attribute> attributes;
    /** The bytes this message was decoded from, for the integrity checks; null for a built one. */
    private final byte[] wire;

    private StunMessage(int type, byte[] transactionId, List<Attribute> attributes, byte[] wire) {
        this.type = type;
        this.transactionId = transactionId;
        this.attributes = List.copyOf(attributes);
        this.wire = wire;
    }

    /** A new Binding request with a fresh random transaction id (RFC 8489 §5). */
    public static StunMessage request(List<Attribute> attributes) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return new StunMessage(BINDING_REQUEST, id, attributes, null);
    }

    /** A response of {@code type} to the request with {@code transactionId}. */
    public static StunMessage response(int type, byte[] transactionId, List<Attribute> attributes) {
        return new StunMessage(type, transactionId.clone(), attributes, null);
    }

    public int type() {
        return type;
    }

    public byte[] transactionId() {
        return transactionId.clone();
    }

    /** Whether {@code other} is the same transaction (a response to this request). */
    public boolean sameTransaction(byte[] other) {
        return MessageDigest.isEqual(transactionId, other);
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    public Optional<byte[]> attribute(int attributeType) {
        for (Attribute attribute : attributes) {
            if (attribute.type() == attributeType) {
                return Optional.of(attribute.value());
            }
        }
        return Optional.empty();
    }

    public boolean has(int attributeType) {
        return attribute(attributeType).isPresent();
    }

    public Optional<String> username() {
        return attribute(USERNAME).map(value -> new String(value, StandardCharsets.UTF_8));
    }

    /** The XOR-MAPPED-ADDRESS, else the plain MAPPED-ADDRESS of an old server (RFC 8489 §14.1, §14.2). */
    public Optional<InetSocketAddress> mappedAddress() {
        Optional<byte[]> xored = attribute(XOR_MAPPED_ADDRESS);
        if (xored.isPresent()) {
            return Optional.ofNullable(readAddress(xored.get(), transactionId));
        }
        return attribute(MAPPED_ADDRESS).map(value -> readAddress(value, null));
    }

    /** The ERROR-CODE as "code reason", if any. */
    public Optional<String> error() {
        return attribute(ERROR_CODE).filter(v -> v.length >= 4).map(v -> ((v[2] & 0x7) * 100 + (v[3] & 0xff))
                + " " + new String(v, 4, v.length - 4, StandardCharsets.UTF_8));
    }

    /** The error code number, or 0. */
    public int errorCode() {
        return attribute(ERROR_CODE).filter(v -> v.length >= 4).map(v -> (v[2] & 0x7) * 100 + (v[3] & 0xff)).orElse(0);
    }

    /**
     * The wire form: the attributes, then MESSAGE-INTEGRITY keyed with {@code integrityKey} when it
     * is not null (RFC 8489 §14.5: HMAC-SHA1 over the message up to the attribute, with the length
     * field counting it), then FINGERPRINT when asked (§14.7).
     */
    public byte[] encode(byte[] integrityKey, boolean fingerprint) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + attributesLength() + 24 + 8);
        out.putShort((short) type).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
        for (Attribute attribute : attributes) {
            putAttribute(out, attribute.type(), attribute.value());
        }
        if (integrityKey != null) {
            out.putShort(2, (short) (out.position() - HEADER + 24));
            byte[] mac = hmac(integrityKey, out.array(), out.position());
            putAttribute(out, MESSAGE_INTEGRITY, mac);
        }
        if (fingerprint) {
            out.putShort(2, (short) (out.position() - HEADER + 8));
            putAttribute(out, FINGERPRINT, intBytes(crc(out.array(), out.position()) ^ FINGERPRINT_XOR));
        }
        out.putShort(2, (short) (out.position() - HEADER));
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Whether {@code data} looks like a STUN message (RFC 8489 §6: top bits zero, magic cookie) rather than application data. */
    public static boolean looksLikeStun(byte[] header, int totalLength) {
        return totalLength >= HEADER && header.length >= HEADER && (header[0] & 0xC0) == 0
                && ByteBuffer.wrap(header, 4, 4).getInt() == MAGIC_COOKIE
                && ((header[2] & 0xff) << 8 | (header[3] & 0xff)) == totalLength - HEADER;
    }

    /**
     * Parses {@code data}; empty when it is not a well-formed STUN message (bad header, length or
     * attribute framing, or a FINGERPRINT that does not match).
     */
    public static Optional<StunMessage> decode(byte[] data) {
        if (!looksLikeStun(data, data.length) || (data.length & 3) != 0) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        int type = in.getShort(0) & 0xffff;
        byte[] id = Arrays.copyOfRange(data, 8, 20);
        in.position(HEADER);
        List<Attribute> attributes = new ArrayList<>();
        while (in.remaining() >= 4) {
            int attributeStart = in.position();
            int attributeType = in.getShort() & 0xffff;
            int length = in.getShort() & 0xffff;
            int padded = (length + 3) & ~3;
            if (padded > in.remaining()) {
                return Optional.empty();
            }
            byte[] value = new byte[length];
            in.get(value);
            in.position(in.position() + padded - length);
            if (attributeType == FINGERPRINT) {
                if (length != 4 || in.hasRemaining()) {
                    return Optional.empty();
                }
                int expected = crc(data, attributeStart) ^ FINGERPRINT_XOR;
                if (ByteBuffer.wrap(value).getInt() != expected) {
                    return Optional.empty();
                }
            }
            attributes.add(new Attribute(attributeType, value));
        }
        if (in.hasRemaining()) {
            return Optional.empty();
        }
        return Optional.of(new StunMessage(type, id, attributes, data));
    }

    /**
     * Whether this received message carries a MESSAGE-INTEGRITY that {@code key} produced (RFC 8489
     * §9.1.3), computed over the received bytes up to the attribute with the length field adjusted
     * as the sender had it. False when there is none.
     */
    public boolean integrityValid(byte[] key) {
        if (wire == null) {
            return false;
        }
        int at = HEADER;
        while (at + 4 <= wire.length) {
            int attributeType = (wire[at] & 0xff) << 8 | (wire[at + 1] & 0xff);
            int length = (wire[at + 2] & 0xff) << 8 | (wire[at + 3] & 0xff);
            if (attributeType == MESSAGE_INTEGRITY) {
                if (length != 20 || at + 24 > wire.length) {
                    return false;
                }
                byte[] covered = Arrays.copyOf(wire, at);
                int lengthAsSent = at - HEADER + 24;
                covered[2] = (byte) (lengthAsSent >> 8);
                covered[3] = (byte) lengthAsSent;
                byte[] expected = hmac(key, covered, covered.length);
                return MessageDigest.isEqual(expected, Arrays.copyOfRange(wire, at + 4, at + 24));
            }
            at += 4 + ((length + 3) & ~3);
        }
        return false;
    }

    /** An XOR-MAPPED-ADDRESS attribute for {@code address} (RFC 8489 §14.2). */
    public static Attribute xorMappedAddress(InetSocketAddress address, byte[] transactionId) {
        byte[] ip = address.getAddress().getAddress();
        ByteBuffer value = ByteBuffer.allocate(4 + ip.length);
        value.put((byte) 0).put((byte) (ip.length == 4 ? 1 : 2));
        value.putShort((short) (address.getPort() ^ (MAGIC_COOKIE >>> 16)));
        byte[] mask = xorMask(transactionId);
        for (int i = 0; i < ip.length; i++) {
            value.put((byte) (ip[i] ^ mask[i]));
        }
        return new Attribute(XOR_MAPPED_ADDRESS, value.array());
    }

    public static Attribute username(String username) {
        return new Attribute(USERNAME, username.getBytes(StandardCharsets.UTF_8));
    }

    public static Attribute priority(long priority) {
        return new Attribute(PRIORITY, intBytes((int) priority));
    }

    public static Attribute useCandidate() {
        return new Attribute(USE_CANDIDATE, new byte[0]);
    }

    /** ICE-CONTROLLING or ICE-CONTROLLED with the agent's tie-breaker (RFC 8445 §16.1). */
    public static Attribute role(boolean controlling, long tieBreaker) {
        return new Attribute(controlling ? ICE_CONTROLLING : ICE_CONTROLLED,
                ByteBuffer.allocate(8).putLong(tieBreaker).array());
    }

    /** ERROR-CODE (RFC 8489 §14.8), e.g. 401 Unauthorized or 487 Role Conflict. */
    public static Attribute errorCode(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer value = ByteBuffer.allocate(4 + text.length);
        value.putShort((short) 0).put((byte) (code / 100)).put((byte) (code % 100)).put(text);
        return new Attribute(ERROR_CODE, value.array());
    }

    /** The short-term credential key: the password itself (RFC 8489 §9.1.1, OpaqueString of an ICE password is itself). */
    public static byte[] shortTermKey(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return String.format("STUN[0x%04x, %d attribute(s)]", type, attributes.size());
    }

    private int attributesLength() {
        int length = 0;
        for (Attribute attribute : attributes) {
            length += 4 + ((attribute.value().length + 3) & ~3);
        }
        return length;
    }

    private static void putAttribute(ByteBuffer out, int attributeType, byte[] value) {
        out.putShort((short) attributeType).putShort((short) value.length).put(value);
        for (int pad = value.length; (pad & 3) != 0; pad++) {
            out.put((byte) 0);
        }
    }

    private static InetSocketAddress readAddress(byte[] value, byte[] xorTransaction) {
        boolean xored = xorTransaction != null;
        if (value.length < 8) {
            return null;
        }
        int family = value[1];
        int length = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (length < 0 || value.length < 4 + length) {
            return null;
        }
        int port = (value[2] & 0xff) << 8 | (value[3] & 0xff);
        byte[] ip = Arrays.copyOfRange(value, 4, 4 + length);
        if (xored) {
            port ^= MAGIC_COOKIE >>> 16;
            byte[] mask = xorMask(xorTransaction);
            for (int i = 0; i < ip.length; i++) {
                ip[i] ^= mask[i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The XOR mask of an address: magic cookie then transaction id (RFC 8489 §14.2). */
    private static byte[] xorMask(byte[] transactionId) {
        return ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transactionId == null ? new byte[12] : transactionId).array();
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static int crc(byte[] data, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        return (int) crc.getValue();
    }

    private static byte[] hmac(byte[] key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is not available", e);
        }
    }
}
