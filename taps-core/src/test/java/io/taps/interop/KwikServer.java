package io.taps.interop;

import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Exchange;
import io.taps.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnector;

/**
 * Kwik (pure-Java QUIC, no Netty, no quiche) as a QUIC server on an ephemeral UDP port of
 * 127.0.0.1, with the test PKI's server certificate: every bidirectional stream a client opens is
 * handed to the test's stream handler on a thread of its own (Kwik's receiver thread must never
 * block on the application).
 */
final class KwikServer implements AutoCloseable {
    private static final String ALIAS = "server";
    private static final char[] PASSWORD = "kwik-interop".toCharArray();

    private final DatagramSocket socket;
    private final ServerConnector connector;
    private final ExecutorService streamHandlers = Executors.newCachedThreadPool();

    KwikServer(String alpn, Consumer<QuicStream> streams) throws Exception {
        this(alpn, streams, connection -> { }, false, 0);
    }

    /**
     * Like {@link #KwikServer(String, Consumer)}; {@code connections} gets every new QUIC connection
     * as soon as its handshake is done (on Kwik's thread: it must not block), with the DATAGRAM
     * extension (RFC 9221) announced when {@code datagrams}, and {@code uniStreams} peer-initiated
     * unidirectional streams allowed.
     */
    KwikServer(String alpn, Consumer<QuicStream> streams, Consumer<QuicConnection> connections, boolean datagrams,
            int uniStreams) throws Exception {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry(ALIAS, TestPki.SERVER.getKeyPair().getPrivate(), PASSWORD,
                TestPki.SERVER.getCertificatePath());
        try {
            connector = ServerConnector.builder().withPort(socket.getLocalPort()).withSocket(socket)
                    .withKeyStore(identity, ALIAS, PASSWORD)
                    .withLogger(KwikRecentLog.forEndpoint("server on port " + socket.getLocalPort())).build();
        } catch (Exception e) {
            socket.close();
            throw e;
        }
        connector.registerApplicationProtocol(alpn, new ApplicationProtocolConnectionFactory() {
            @Override
            public ApplicationProtocolConnection createConnection(String protocol, QuicConnection connection) {
                connections.accept(connection);
                return new ApplicationProtocolConnection() {
                    @Override
                    public void acceptPeerInitiatedStream(QuicStream stream) {
                        streamHandlers.execute(() -> streams.accept(stream));
                    }
                };
            }

            @Override
            public int maxConcurrentPeerInitiatedBidirectionalStreams() {
                return 4;
            }

            @Override
            public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
                return uniStreams;
            }

            @Override
            public boolean enableDatagramExtension() {
                return datagrams;
            }
        });
        connector.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /**
     * Reads the stream up to the client's FIN, hashing it, and only then sends {@code size} seeded
     * bytes and its own FIN: the peer of a taps that half-closes first and keeps receiving.
     */
    static Exchange receiveThenReply(QuicStream stream, long size, long seed) {
        try (InputStream in = stream.getInputStream(); OutputStream out = stream.getOutputStream()) {
            Digest received = Digest.read(in);
            return new Exchange(received, Digest.write(out, size, seed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connector.close();
        streamHandlers.shutdownNow();
        socket.close();
    }
}
