package io.taps.internal.rendezvous;

import java.net.InetAddress;

/** ICE candidate types and their type preferences (RFC 8445 §5.1.2.2). */
enum CandidateType {
    HOST("host", 126),
    PEER_REFLEXIVE("prflx", 110),
    SERVER_REFLEXIVE("srflx", 100);

    private final String label;
    private final int typePreference;

    CandidateType(String label, int typePreference) {
        this.label = label;
        this.typePreference = typePreference;
    }

    String label() {
        return label;
    }

    /** RFC 8445 §5.1.2.1: 2^24*type preference + 2^8*local preference + (256 - component 1). */
    long priority(int localPreference) {
        return ((long) typePreference << 24) + ((long) (localPreference & 0xffff) << 8) + 255;
    }

    /**
     * The type of a remote candidate that arrived over signalling as a bare address (RFC 9622 gives
     * Remote Endpoints no candidate type): a private, unique-local, loopback or link-local address is
     * taken as a host candidate, any other as server-reflexive. Only the checking order depends on it.
     */
    static CandidateType guess(InetAddress address) {
        byte[] raw = address.getAddress();
        boolean uniqueLocal = raw.length == 16 && (raw[0] & 0xfe) == 0xfc;
        return address.isSiteLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || uniqueLocal ? HOST : SERVER_REFLEXIVE;
    }
}
