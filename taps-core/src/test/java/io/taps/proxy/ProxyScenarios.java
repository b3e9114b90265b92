package io.taps.proxy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.security.SecurityParameters;
import io.taps.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The proxy scenarios {@link ProxyTest} runs in a child JVM inside a network namespace whose
 * {@code lo} is up with 127.0.0.3 added. Starts a JDK TLS echo server (neither taps nor Netty) on
 * 127.0.0.2, a real {@code danted} (SOCKS5, username/password against a private passwd/shadow) and
 * a real {@code tinyproxy} (HTTP CONNECT, Basic auth), both in their own mount namespace with a
 * hosts file that names the destination, both connecting out from 127.0.0.3; an nftables rule drops
 * every packet to the destination's port 8443 that does not come from 127.0.0.3, so that port is
 * reachable only through a proxy; the same holds for a cleartext JDK echo server on port 8446.
 * Prints {@code key=value} lines.
 */
public final class ProxyScenarios {
    static final int BLOCKED_PORT = 8443;
    static final int OPEN_PORT = 8444;
    static final int REFUSED_PORT = 8445;
    /** A cleartext echo server, also reachable only through a proxy. */
    static final int PLAIN_PORT = 8446;
    static final int SOCKS_PORT = 1080;
    static final int HTTP_PORT = 3128;
    static final int DEAD_PORT = 1090;
    static final String USER = "tapsproxy";
    static final String PASSWORD = "s3cret-proxy";
    private static final List<Process> DAEMONS = new ArrayList<>();

    private ProxyScenarios() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("taps-proxy-");
        Runtime.getRuntime().addShutdownHook(new Thread(ProxyScenarios::stopDaemons));
        try {
            X509Bundle server = new CertificateBuilder().notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                    .notAfter(Instant.now().plus(1, ChronoUnit.DAYS)).ecp256().subject("CN=dest.proxy.test")
                    .addSanDnsName("dest.proxy.test").addSanDnsName("hidden.proxy.test")
                    .addExtendedKeyUsageServerAuth().buildIssuedBy(TestPki.ROOT);
            for (int port : new int[] {BLOCKED_PORT, OPEN_PORT, REFUSED_PORT}) {
                startEchoServer(server, port);
            }
            startPlainEchoServer(PLAIN_PORT);
            startProxies(dir);
            run(List.of("nft", "add", "table", "inet", "taps_proxy_test"));
            run(List.of("nft", "add", "chain", "inet", "taps_proxy_test", "out",
                    "{ type filter hook output priority 0; policy accept; }"));
            run(List.of("nft", "add", "rule", "inet", "taps_proxy_test", "out", "ip", "daddr", "127.0.0.2", "tcp",
                    "dport", String.valueOf(BLOCKED_PORT), "ip", "saddr", "!=", "127.0.0.3", "drop"));
            run(List.of("nft", "add", "rule", "inet", "taps_proxy_test", "out", "ip", "daddr", "127.0.0.2", "tcp",
                    "dport", String.valueOf(PLAIN_PORT), "ip", "saddr", "!=", "127.0.0.3", "drop"));
            // The client knows dest.proxy.test (so the direct branch has an address to be dropped
            // on); hidden.proxy.test only the proxies can resolve.
            Path clientHosts = dir.resolve("client-hosts");
            Files.writeString(clientHosts, "127.0.0.1 localhost\n127.0.0.2 dest.proxy.test\n");
            try (TransportServices taps = TransportServices.builder().eventLoopThreads(2).hostsFile(clientHosts)
                    .nameServers(List.of(new InetSocketAddress("127.0.0.1", 53))).build()) {
                scenarios(taps);
            }
        } finally {
            stopDaemons();
        }
        System.out.println("done=true");
        System.exit(0);
    }

    private static void scenarios(TransportServices taps) throws Exception {
        ProxyServer socks = ProxyServer.socks5("127.0.0.1", SOCKS_PORT).withCredentials(USER, PASSWORD);
        ProxyServer http = ProxyServer.httpConnect("127.0.0.1", HTTP_PORT).withCredentials("tapsuser", "tapssecret");

        connect(taps, "direct", "dest.proxy.test", BLOCKED_PORT, ProxyConfig.direct(), Duration.ofSeconds(1));
        connect(taps, "socksRace", "dest.proxy.test", BLOCKED_PORT,
                ProxyConfig.racing(socks).withDelay(Duration.ofMillis(50)), Duration.ofSeconds(10));
        connect(taps, "httpHidden", "hidden.proxy.test", BLOCKED_PORT, ProxyConfig.only(http), Duration.ofSeconds(10));
        connect(taps, "socksHidden", "hidden.proxy.test", BLOCKED_PORT, ProxyConfig.only(socks), Duration.ofSeconds(10));
        connect(taps, "proxyDown", "dest.proxy.test", OPEN_PORT,
                ProxyConfig.racing(ProxyServer.socks5("127.0.0.1", DEAD_PORT)), Duration.ofSeconds(10));
        connect(taps, "socksBadAuth", "dest.proxy.test", BLOCKED_PORT,
                ProxyConfig.only(ProxyServer.socks5("127.0.0.1", SOCKS_PORT).withCredentials(USER, "wrong")),
                Duration.ofSeconds(10));
        connect(taps, "socksNoAuth", "dest.proxy.test", BLOCKED_PORT,
                ProxyConfig.only(ProxyServer.socks5("127.0.0.1", SOCKS_PORT)), Duration.ofSeconds(10));
        connect(taps, "httpBadAuth", "dest.proxy.test", BLOCKED_PORT,
                ProxyConfig.only(ProxyServer.httpConnect("127.0.0.1", HTTP_PORT).withCredentials("tapsuser", "bad")),
                Duration.ofSeconds(10));
        // Plain TCP in the tunnel: no handshake of its own, so Ready is the tunnel's opening.
        connect(taps, "socksPlain", "dest.proxy.test", PLAIN_PORT, ProxyConfig.only(socks), Duration.ofSeconds(10),
                SecurityParameters.disabled());
        connect(taps, "socksRefused", "dest.proxy.test", REFUSED_PORT, ProxyConfig.only(socks), Duration.ofSeconds(10));
        connect(taps, "httpRefused", "dest.proxy.test", REFUSED_PORT, ProxyConfig.only(http), Duration.ofSeconds(10));
        System.setProperty("socksProxyHost", "127.0.0.1");
        System.setProperty("socksProxyPort", String.valueOf(SOCKS_PORT));
        System.setProperty("java.net.socks.username", USER);
        System.setProperty("java.net.socks.password", PASSWORD);
        connect(taps, "system", "dest.proxy.test", BLOCKED_PORT, ProxyConfig.system(), Duration.ofSeconds(10));
    }

    /** One Initiate to {@code host:port} with TLS verified against the test root; prints what happened. */
    private static void connect(TransportServices taps, String name, String host, int port, ProxyConfig proxies,
            Duration timeout) throws Exception {
        connect(taps, name, host, port, proxies, timeout,
                SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build());
    }

    private static void connect(TransportServices taps, String name, String host, int port, ProxyConfig proxies,
            Duration timeout, SecurityParameters security) throws Exception {
        Preconnection preconnection = taps.preconnection().remote(RemoteEndpoint.ofHost(host, port))
                .security(security).proxies(proxies).build();
        Connection connection = preconnection.initiate(timeout, new io.taps.ConnectionEventHandler() { });
        try {
            connection.ready().toCompletableFuture().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            System.out.println(name + ".outcome=ready");
            System.out.println(name + ".echo=" + echo(connection));
            System.out.println(name + ".remoteEndpoint=" + connection.remoteEndpoint().map(Object::toString).orElse("none"));
            connection.close();
            connection.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException failure) {
            Throwable cause = failure.getCause();
            System.out.println(name + ".outcome=" + (cause instanceof TransportServicesException typed
                    ? typed.reason().rfcName() : String.valueOf(cause)));
            List<String> reasons = new ArrayList<>();
            collect(cause, reasons);
            System.out.println(name + ".causes=" + String.join(",", reasons));
        }
        EstablishmentReport report = connection.establishmentReport();
        System.out.println(name + ".winner=" + report.winner().map(c -> c.proxyUsed().orElse("direct")).orElse("none"));
        System.out.println(name + ".winnerRemoteUnresolved="
                + report.winner().map(c -> c.remote().isUnresolved()).orElse(false));
        System.out.println(name + ".resolutions=" + report.resolutions().size());
        List<String> attempts = new ArrayList<>();
        for (EstablishmentReport.Attempt attempt : report.attempts()) {
            attempts.add(attempt.candidate().proxyUsed().map(p -> p.split(" ")[0]).orElse("direct") + ":"
                    + attempt.outcome());
        }
        System.out.println(name + ".attempts=" + String.join(",", attempts));
        for (String line : report.toString().split("\n")) {
            System.out.println("# " + name + " " + line);
        }
    }

    private static void collect(Throwable error, List<String> reasons) {
        if (error instanceof TransportServicesException typed) {
            Throwable cause = typed.getCause();
            if (cause instanceof TransportServicesException inner) {
                reasons.add(inner.reason().rfcName());
            }
            for (Throwable suppressed : typed.getSuppressed()) {
                if (suppressed instanceof TransportServicesException inner) {
                    reasons.add(inner.reason().rfcName());
                }
            }
        }
    }

    /** Sends 256 KiB of random bytes and compares the SHA-256 of what comes back. */
    private static String echo(Connection connection) throws Exception {
        byte[] data = new byte[256 * 1024];
        new Random(42).nextBytes(data);
        connection.send(Message.of(data), io.taps.MessageContext.create(), false);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        while (back.size() < data.length) {
            Message part = connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS);
            back.write(part.bytes());
        }
        boolean same = HexFormat.of().formatHex(sha256(data)).equals(HexFormat.of().formatHex(sha256(back.toByteArray())));
        return same ? "ok" : "mismatch";
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static void startEchoServer(X509Bundle identity, int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity.toKeyManagerFactory().getKeyManagers(), null, null);
        SSLServerSocket listening = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getByName("127.0.0.2"));
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket socket = listening.accept();
                    Thread echo = new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            byte[] buffer = new byte[16 * 1024];
                            for (int n; (n = in.read(buffer)) > 0; ) {
                                out.write(buffer, 0, n);
                                out.flush();
                            }
                        } catch (IOException ignored) {
                            // the peer went away
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A cleartext JDK echo server on 127.0.0.2:{@code port}. */
    private static void startPlainEchoServer(int port) throws Exception {
        java.net.ServerSocket listening = new java.net.ServerSocket(port, 50, InetAddress.getByName("127.0.0.2"));
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket socket = listening.accept();
                    Thread echo = new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the peer went away
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "plain-echo-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void startProxies(Path dir) throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"),
                "127.0.0.1 localhost\n127.0.0.2 dest.proxy.test hidden.proxy.test\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), Files.readString(Path.of("/etc/passwd"))
                + USER + ":x:64999:65534::/nonexistent:/usr/sbin/nologin\n");
        String hash = output(List.of("openssl", "passwd", "-6", PASSWORD)).trim();
        Path shadow = Files.writeString(dir.resolve("shadow"), Files.readString(Path.of("/etc/shadow"))
                + USER + ":" + hash + ":19000:0:99999:7:::\n");
        Path dante = Files.writeString(dir.resolve("danted.conf"), String.join("\n",
                "logoutput: stderr",
                "internal: 127.0.0.1 port = " + SOCKS_PORT,
                "external: 127.0.0.3",
                "socksmethod: username",
                "clientmethod: none",
                "user.privileged: root",
                "user.unprivileged: nobody",
                "client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }",
                "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = " + REFUSED_PORT + " log: error connect }",
                "socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 log: error connect }", ""));
        Path tinyproxy = Files.writeString(dir.resolve("tinyproxy.conf"), String.join("\n",
                "Port " + HTTP_PORT,
                "Listen 127.0.0.1",
                "Bind 127.0.0.3",
                "Timeout 30",
                "MaxClients 50",
                "Allow 127.0.0.1",
                // tinyproxy allows CONNECT to 443 and 563 only unless ports are listed.
                "ConnectPort " + BLOCKED_PORT,
                "ConnectPort " + OPEN_PORT,
                "BasicAuth tapsuser tapssecret",
                "User nobody",
                "Group nogroup",
                "LogLevel Info", ""));
        String mounts = "mount --bind " + hosts + " /etc/hosts && ";
        start(dir.resolve("danted.log"), "unshare -m sh -c '" + mounts + "mount --bind " + passwd + " /etc/passwd && mount --bind "
                + shadow + " /etc/shadow && exec danted -f " + dante + "'");
        start(dir.resolve("tinyproxy.log"), "unshare -m sh -c '" + mounts + "exec tinyproxy -d -c " + tinyproxy + "'");
        awaitListening(SOCKS_PORT);
        awaitListening(HTTP_PORT);
    }

    private static void start(Path log, String command) throws IOException {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        DAEMONS.add(process);
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String local = String.format(":%04X ", port);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && (fields[1] + " ").endsWith(local) && fields[3].equals("0A")) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nothing listens on port " + port);
    }

    private static synchronized void stopDaemons() {
        for (Process process : DAEMONS) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        DAEMONS.clear();
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }

    private static String output(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
