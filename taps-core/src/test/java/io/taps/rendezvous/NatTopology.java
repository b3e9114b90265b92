package io.taps.rendezvous;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.testing.NetnsJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real NATs in network namespaces for the Rendezvous tests (issue 20):
 *
 * <pre>
 *   peerA  10.1.0.2 ┐                                             ┌ 10.2.0.2 peerB
 *   peerA2 10.1.0.3 ┴ natA (10.1.0.1 | 203.0.113.2) ── inet ── (203.0.113.3 | 10.2.0.1) natB
 *                                        203.0.113.1 STUN (PlainStunResponder, :3478)
 * </pre>
 *
 * Each NAT is an nftables {@code masquerade} on its WAN side, which keeps the source port when it
 * is free (port-preserving, endpoint-independent mapping); {@link #symmetric} switches both to
 * {@code masquerade random} (a new random port per mapping: endpoint-dependent, "symmetric").
 * Names carry a per-JVM suffix, so parallel runs never share a namespace.
 */
final class NatTopology implements AutoCloseable {
    static final String STUN_IP = "203.0.113.1";
    static final int STUN_PORT = 3478;

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
    final String inet = "tzvI" + suffix;
    final String natA = "tzvNA" + suffix;
    final String natB = "tzvNB" + suffix;
    final String peerA = "tzvA" + suffix;
    final String peerA2 = "tzvA2" + suffix;
    final String peerB = "tzvB" + suffix;
    private final List<String> namespaces = List.of(inet, natA, natB, peerA, peerA2, peerB);
    private Process stun;

    NatTopology() {
        NetnsJvm.assumeAvailable();
        boolean nft = Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft"));
        if (!nft) {
            System.err.println("!!! SKIPPING the Rendezvous NAT tests: nft is missing (apt-get install nftables)");
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft")),
                "the NAT topology needs nftables (apt-get install nftables)");
        close();
        List<String> script = new ArrayList<>();
        for (String ns : namespaces) {
            script.add("ip netns add " + ns);
            script.add("ip -n " + ns + " link set lo up");
        }
        script.add("ip -n " + inet + " link add br0 type bridge");
        script.add("ip -n " + inet + " addr add " + STUN_IP + "/24 dev br0");
        script.add("ip -n " + inet + " link set br0 up");
        wan(script, natA, "203.0.113.2", "a");
        wan(script, natB, "203.0.113.3", "b");
        lan(script, natA, "10.1.0", List.of(peerA, peerA2));
        lan(script, natB, "10.2.0", List.of(peerB));
        sh(String.join(" && ", script));
        stun = NetnsJvm.start(inet, PlainStunResponder.class, List.of(STUN_IP, Integer.toString(STUN_PORT)),
                tempFile("stun"));
        String ready = new PeerProcess(stun).line("ready=", 30);
        if (!"1".equals(ready)) {
            throw new IllegalStateException("the STUN responder did not start: " + ready);
        }
    }

    private void wan(List<String> script, String nat, String address, String tag) {
        script.add("ip link add wan netns " + nat + " type veth peer name to" + tag + " netns " + inet);
        script.add("ip -n " + inet + " link set to" + tag + " master br0 up");
        script.add("ip -n " + nat + " addr add " + address + "/24 dev wan");
        script.add("ip -n " + nat + " link set wan up");
        script.add("ip netns exec " + nat + " sysctl -qw net.ipv4.ip_forward=1");
        script.add("ip netns exec " + nat + " nft add table ip tzvnat");
        script.add("ip netns exec " + nat + " nft add chain ip tzvnat post '{ type nat hook postrouting priority 100; }'");
        script.add("ip netns exec " + nat + " nft add rule ip tzvnat post oifname wan masquerade");
        // Like a home router, the NAT accepts nothing unsolicited from the WAN side: a dropped packet
        // leaves no conntrack entry, which would otherwise take the port the peer's mapping needs.
        script.add("ip netns exec " + nat + " nft add chain ip tzvnat in '{ type filter hook input priority 0; }'");
        script.add("ip netns exec " + nat + " nft add rule ip tzvnat in iifname wan ct state new drop");
    }

    private void lan(List<String> script, String nat, String prefix, List<String> peers) {
        script.add("ip -n " + nat + " link add lan type bridge");
        script.add("ip -n " + nat + " addr add " + prefix + ".1/24 dev lan");
        script.add("ip -n " + nat + " link set lan up");
        int host = 2;
        for (String peer : peers) {
            script.add("ip link add eth0 netns " + peer + " type veth peer name p" + host + " netns " + nat);
            script.add("ip -n " + nat + " link set p" + host + " master lan up");
            script.add("ip -n " + peer + " addr add " + prefix + "." + host + "/24 dev eth0");
            script.add("ip -n " + peer + " link set eth0 up");
            script.add("ip -n " + peer + " route add default via " + prefix + ".1");
            host++;
        }
    }

    /** Makes both NATs map every new flow to a random port (nft {@code masquerade random}), or back. */
    void symmetric(boolean random) {
        for (String nat : List.of(natA, natB)) {
            sh("ip netns exec " + nat + " nft flush chain ip tzvnat post && ip netns exec " + nat
                    + " nft add rule ip tzvnat post oifname wan masquerade" + (random ? " random" : ""));
        }
    }

    @Override
    public void close() {
        if (stun != null) {
            stun.destroyForcibly();
        }
        for (String ns : namespaces) {
            try {
                new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // nothing to delete
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Path tempFile(String tag) {
        try {
            Path file = Files.createTempFile("tzv-" + tag + "-", ".err");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sh(String script) {
        try {
            Process process = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("topology setup failed: " + output + "\nscript: " + script);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
