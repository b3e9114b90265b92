package io.taps.internal.rendezvous;

import java.net.InetSocketAddress;

/**
 * A local base of a Rendezvous (RFC 8445 §5.1.1.1): the address a socket is bound to, a host
 * candidate, with its priority. Its server-reflexive candidate shares the socket, so checks only
 * ever leave from bases (RFC 8445 §6.1.2.4 replaces a reflexive local candidate by its base).
 */
record Base(InetSocketAddress address, long priority) {
    String describe() {
        return "host " + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
