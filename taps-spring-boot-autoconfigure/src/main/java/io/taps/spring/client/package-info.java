/**
 * Clients configured under {@code taps.clients.<name>}: {@link io.taps.spring.client.TapsClient}
 * (send, request/reply with timeout, Connection reuse and reconnect with back-off) and the
 * {@link io.taps.spring.client.TapsClients} registry that closes them on shutdown.
 */
@NullMarked
package io.taps.spring.client;

import org.jspecify.annotations.NullMarked;
