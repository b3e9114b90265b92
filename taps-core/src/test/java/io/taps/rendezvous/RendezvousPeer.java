package io.taps.rendezvous;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.RendezvousCredentials;
import io.taps.ResolvedEndpoints;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One side of a Rendezvous, run as a child JVM in its namespace of {@link NatTopology}; the test
 * is its signalling channel (standard output and input). Arguments: {@code udp|tcp localPort
 * stun|nostun timeoutMillis messages pinger|echoer}. It prints {@code candidates=cred|hosts|srflx},
 * reads {@code peer=cred|hosts|srflx|trickleDelayMillis} (the srflx candidates are added only after
 * the delay when it is positive: trickle ICE), rendezvous, prints the outcome and the report, and
 * then exchanges {@code messages} Messages: the pinger sends each and waits for its echo.
 */
public final class RendezvousPeer {
    private RendezvousPeer() {
    }

    public static void main(String[] args) throws Exception {
        boolean udp = args[0].equals("udp");
        int port = Integer.parseInt(args[1]);
        boolean stun = args[2].equals("stun");
        Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
        int messages = Integer.parseInt(args[4]);
        boolean pinger = args[5].equals("pinger");
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            LocalEndpoint.Builder local = LocalEndpoint.builder().withPort(port);
            if (stun) {
                local.withStunServer(NatTopology.STUN_IP, NatTopology.STUN_PORT);
            }
            Preconnection.Builder builder = taps.preconnection().local(local.build())
                    .security(SecurityParameters.disabled())
                    .properties(udp ? TransportProperties.unreliableDatagram() : TransportProperties.defaults());
            if (!udp) {
                builder.framer(LengthPrefixFramer.factory(4));
            }
            Preconnection preconnection = builder.build();
            ResolvedEndpoints resolved = preconnection.resolve().toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.println("candidates=" + preconnection.rendezvousCredentials() + "|"
                    + join(resolved.hostCandidates()) + "|" + join(resolved.serverReflexiveEndpoints()));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String[] peer = in.readLine().substring("peer=".length()).split("\\|", -1);
            preconnection.setRemoteRendezvousCredentials(RendezvousCredentials.parse(peer[0]));
            long trickleDelay = Long.parseLong(peer[3]);
            preconnection.addRemote(endpoints(peer[1]));
            if (trickleDelay <= 0) {
                preconnection.addRemote(endpoints(peer[2]));
            }
            CompletableFuture<Connection> done = new CompletableFuture<>();
            preconnection.rendezvous(timeout, new ConnectionEventHandler() {
                @Override
                public void rendezvousDone(Connection connection) {
                    done.complete(connection);
                }

                @Override
                public void ready(Connection connection) {
                    done.completeExceptionally(new AssertionError("Ready instead of RendezvousDone"));
                }

                @Override
                public void establishmentError(Connection connection, TransportServicesException error) {
                    System.out.println("report=" + connection.establishmentReport().attempts());
                    done.completeExceptionally(error);
                }
            });
            if (trickleDelay > 0) {
                Thread.sleep(trickleDelay);
                preconnection.addRemote(endpoints(peer[2]));
            }
            Connection connection;
            try {
                connection = done.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException failed) {
                Throwable cause = failed.getCause();
                System.out.println("result=error");
                if (cause instanceof TransportServicesException error) {
                    System.out.println("reason=" + error.reason().rfcName());
                }
                System.out.println("message=" + cause.getMessage().replace('\n', ' '));
                return;
            }
            EstablishmentReport report = connection.establishmentReport();
            System.out.println("result=done");
            System.out.println("stack=" + connection.protocolStack().orElse("?"));
            EstablishmentReport.Candidate winner = report.winner().orElseThrow();
            System.out.println("winnerPath=" + winner.path());
            System.out.println("winnerRemote=" + winner.remote().getAddress().getHostAddress() + ":"
                    + winner.remote().getPort());
            System.out.println("winnerType=" + winner.peerName());
            System.out.println("attempts=" + report.attempts().size());
            System.out.println("report=" + report.attempts().stream().map(Object::toString)
                    .collect(Collectors.joining(" ;; ")));
            System.out.println("notes=" + report.notes());
            System.out.flush();
            exchange(connection, messages, pinger);
            connection.close();
            connection.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void exchange(Connection connection, int messages, boolean pinger) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        int exchanged = 0;
        for (int i = 0; i < messages; i++) {
            if (pinger) {
                byte[] payload = new byte[64 + ThreadLocalRandom.current().nextInt(900)];
                ThreadLocalRandom.current().nextBytes(payload);
                ByteBuffer.wrap(payload).putInt(i);
                connection.send(Message.of(payload));
                byte[] echo = connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).bytes();
                if (!Arrays.equals(payload, echo)) {
                    System.out.println("mismatch=" + i);
                    break;
                }
                digest.update(payload);
            } else {
                byte[] received = connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).bytes();
                connection.send(Message.of(received));
                digest.update(received);
            }
            exchanged++;
        }
        System.out.println("exchanged=" + exchanged);
        System.out.println("digest=" + HexFormat.of().formatHex(digest.digest()));
        System.out.flush();
    }

    private static String join(List<LocalEndpoint> endpoints) {
        return endpoints.stream().map(e -> e.ipAddress().orElseThrow().getHostAddress() + ":" + e.port().orElse(0))
                .collect(Collectors.joining(","));
    }

    private static RemoteEndpoint[] endpoints(String list) {
        List<RemoteEndpoint> out = new ArrayList<>();
        for (String each : list.split(",")) {
            if (!each.isBlank()) {
                int colon = each.lastIndexOf(':');
                out.add(RemoteEndpoint.ofAddress(each.substring(0, colon), Integer.parseInt(each.substring(colon + 1))));
            }
        }
        return out.toArray(RemoteEndpoint[]::new);
    }
}
