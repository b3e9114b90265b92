package io.taps.internal.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The STUN codec against the test vectors of RFC 5769, which come from other implementations. */
class StunMessageTest {
    private static final byte[] PASSWORD = StunMessage.shortTermKey("VOkJxbRl1RmTxUk/WvJxBt");

    /** RFC 5769 §2.1: a request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT. */
    private static final byte[] REQUEST = hex("000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74" + "002400046e0001ff" + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020" + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");

    /** RFC 5769 §2.2: an IPv4 success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    private static final byte[] RESPONSE_V4 = hex("0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");

    /** RFC 5769 §2.3: an IPv6 success response, XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
    private static final byte[] RESPONSE_V6 = hex("010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");

    @Test
    void decodesTheSampleRequestAndChecksItsIntegrityAndFingerprint() {
        StunMessage request = StunMessage.decode(REQUEST).orElseThrow();
        assertThat(request.type()).isEqualTo(StunMessage.BINDING_REQUEST);
        assertThat(request.username()).hasValue("evtj:h6vY");
        assertThat(request.has(StunMessage.ICE_CONTROLLED)).isTrue();
        assertThat(request.integrityValid(PASSWORD)).isTrue();
        assertThat(request.integrityValid(StunMessage.shortTermKey("VOkJxbRl1RmTxUk/WvJxBu"))).isFalse();
    }

    @Test
    void readsTheMappedAddressOfBothSampleResponses() throws Exception {
        StunMessage v4 = StunMessage.decode(RESPONSE_V4).orElseThrow();
        assertThat(v4.integrityValid(PASSWORD)).isTrue();
        assertThat(v4.mappedAddress()).hasValue(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        StunMessage v6 = StunMessage.decode(RESPONSE_V6).orElseThrow();
        assertThat(v6.integrityValid(PASSWORD)).isTrue();
        assertThat(v6.mappedAddress()).hasValue(new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
    }

    @Test
    void aChangedByteFailsTheFingerprintAndAChangedAttributeTheIntegrity() {
        byte[] flipped = REQUEST.clone();
        flipped[30] ^= 1;
        assertThat(StunMessage.decode(flipped)).as("FINGERPRINT no longer matches").isEmpty();
        assertThat(StunMessage.decode(new byte[] {1, 2, 3})).isEmpty();
    }

    @Test
    void whatItEncodesItDecodesWithTheSameIntegrityAndAddresses() throws Exception {
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40001);
        StunMessage request = StunMessage.request(List.of(StunMessage.username("abcd:efgh"), StunMessage.priority(
                0x6e0001ffL), StunMessage.role(true, 42), StunMessage.useCandidate()));
        byte[] wire = request.encode(PASSWORD, true);
        StunMessage decoded = StunMessage.decode(wire).orElseThrow();
        assertThat(decoded.integrityValid(PASSWORD)).isTrue();
        assertThat(decoded.has(StunMessage.USE_CANDIDATE)).isTrue();
        assertThat(decoded.has(StunMessage.ICE_CONTROLLING)).isTrue();
        StunMessage response = StunMessage.response(StunMessage.BINDING_SUCCESS, decoded.transactionId(),
                List.of(StunMessage.xorMappedAddress(mapped, decoded.transactionId())));
        StunMessage answer = StunMessage.decode(response.encode(PASSWORD, true)).orElseThrow();
        assertThat(answer.sameTransaction(request.transactionId())).isTrue();
        assertThat(answer.mappedAddress()).hasValue(mapped);
        StunMessage refusal = StunMessage.decode(StunMessage.response(StunMessage.BINDING_ERROR,
                decoded.transactionId(), List.of(StunMessage.errorCode(487, "Role Conflict"))).encode(null, true))
                .orElseThrow();
        assertThat(refusal.errorCode()).isEqualTo(487);
        assertThat(refusal.integrityValid(PASSWORD)).isFalse();
    }

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text);
    }
}
