package io.taps.spring.boot.autoconfigure;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.RendezvousCredentials;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Rendezvous (RFC 9622 §7.3) from a {@code taps.profiles.*} profile: resolves the local candidates
 * (host and, with a STUN server on the Local Endpoint, server-reflexive), trades them and the ICE
 * credentials with the peer through the application's {@link Signalling}, and completes with the
 * Connection once RendezvousDone arrives (or fails with the EstablishmentError). The profile gives
 * the Transport Properties, Security Parameters and framers, as for Initiate and Listen; a
 * Rendezvous runs over UDP or TCP without security for now (docs/rendezvous.md).
 *
 * <pre>{@code
 * Connection toServer = profiles.preconnection("signalling").build().initiate();  // an ordinary taps Connection
 * Connection peer = rendezvous.rendezvous("p2p",
 *         LocalEndpoint.builder().withPort(40000).withStunServer("stun.example", 3478).build(),
 *         TapsRendezvous.over(toServer), Duration.ofSeconds(10)).toCompletableFuture().join();
 * }</pre>
 */
public final class TapsRendezvous {
    private final TapsProfiles profiles;

    public TapsRendezvous(TapsProfiles profiles) {
        this.profiles = profiles;
    }

    /**
     * One side's signalling data: its credentials and candidates. {@link #encode()} is one line of
     * text, {@code taps-rendezvous/1 ufrag:password ip:port,ip:port}; IPv6 candidates are bracketed.
     */
    public record Offer(RendezvousCredentials credentials, List<RemoteEndpoint> candidates) {
        public Offer {
            candidates = List.copyOf(candidates);
        }

        public String encode() {
            List<String> each = new ArrayList<>();
            for (RemoteEndpoint candidate : candidates) {
                String host = candidate.ipAddress().orElseThrow().getHostAddress();
                each.add((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + candidate.effectivePort());
            }
            return "taps-rendezvous/1 " + credentials + " " + String.join(",", each);
        }

        /** Parses {@link #encode()}'s form; anything else is InvalidConfiguration. */
        public static Offer decode(String text) {
            String[] parts = text.trim().split(" ");
            if (parts.length != 3 || !parts[0].equals("taps-rendezvous/1")) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "not a taps rendezvous offer: " + text);
            }
            List<RemoteEndpoint> candidates = new ArrayList<>();
            for (String each : parts[2].split(",")) {
                int colon = each.lastIndexOf(':');
                String host = each.substring(0, colon).replace("[", "").replace("]", "");
                candidates.add(RemoteEndpoint.ofAddress(host, Integer.parseInt(each.substring(colon + 1))));
            }
            return new Offer(RendezvousCredentials.parse(parts[1]), candidates);
        }
    }

    /** How the application trades offers with the peer: sends ours, completes with theirs. */
    @FunctionalInterface
    public interface Signalling {
        CompletionStage<Offer> exchange(Offer local);
    }

    /**
     * Signalling over an ordinary taps Connection that preserves Message boundaries (a framer, or a
     * datagram stack): sends the local offer as one Message and takes the next Message received as
     * the peer's offer, for example relayed by a signalling server.
     */
    public static Signalling over(Connection signalling) {
        return local -> signalling.send(Message.of(local.encode().getBytes(StandardCharsets.UTF_8)))
                .thenCompose(sent -> signalling.receive())
                .thenApply(message -> Offer.decode(new String(message.bytes(), StandardCharsets.UTF_8)));
    }

    /** Rendezvous with the peer reached through {@code signalling}, bounded by {@code timeout}. */
    public CompletionStage<Connection> rendezvous(String profile, LocalEndpoint local, Signalling signalling,
            Duration timeout) {
        Preconnection preconnection = profiles.preconnection(profile, local).build();
        CompletableFuture<Connection> done = new CompletableFuture<>();
        preconnection.resolve().thenCompose(resolved -> {
            List<RemoteEndpoint> candidates = new ArrayList<>();
            for (LocalEndpoint candidate : resolved.localEndpoints()) {
                candidates.add(RemoteEndpoint.ofAddress(candidate.ipAddress().orElseThrow(), candidate.effectivePort()));
            }
            return signalling.exchange(new Offer(preconnection.rendezvousCredentials(), candidates));
        }).thenAccept(peer -> {
            preconnection.setRemoteRendezvousCredentials(peer.credentials());
            preconnection.addRemote(peer.candidates().toArray(RemoteEndpoint[]::new));
            preconnection.rendezvous(timeout, new ConnectionEventHandler() {
                @Override
                public void rendezvousDone(Connection connection) {
                    done.complete(connection);
                }

                @Override
                public void establishmentError(Connection connection, TransportServicesException error) {
                    done.completeExceptionally(error);
                }
            });
        }).exceptionally(failure -> {
            done.completeExceptionally(failure);
            return null;
        });
        return done;
    }
}
