package io.taps.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-call shortcuts of issue 22 against a plain JDK peer: half-close with sendFinal, the whole
 * stream into a bounded buffer or a FileChannel, and sending from an InputStream or a FileChannel,
 * each checked byte for byte with SHA-256.
 */
class StreamShortcutsTest extends TapsTestSupport {
    @TempDir
    Path files;

    @Test
    void sendFinalHalfClosesAndTheReplyStillArrives_receiveAll() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            byte[] request = PlainTcpPeer.readToEnd(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(("you said: " + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
        })) {
            Connection connection = SendAllTest.connect(peer.port());

            Await.result(connection.sendFinal(Message.of("hello")));
            Message reply = Await.result(connection.receiveAll(1 << 20));

            assertThat(reply.asString()).isEqualTo("you said: hello");
            assertThat(reply.endOfStream()).isTrue();
            Await.result(peer.done());
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void receiveAllRefusesAStreamLongerThanItsBound() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            socket.getOutputStream().write(new byte[300_000]);
            socket.shutdownOutput();
            PlainTcpPeer.readToEnd(socket.getInputStream());
        })) {
            Connection connection = SendAllTest.connect(peer.port());
            Throwable failure = Await.failure(connection.receiveAll(100_000));
            assertThat(failure).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            connection.abort();
        }
    }

    @Test
    void receiveToWritesTheWholeStreamToAFileChannel() throws Exception {
        MessageDigest sent = StreamData.sha256();
        int chunks = 256; // 16 MiB
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < chunks; i++) {
                byte[] chunk = StreamData.chunk(i, 64 * 1024);
                sent.update(chunk);
                out.write(chunk);
            }
            socket.shutdownOutput();
            PlainTcpPeer.readToEnd(socket.getInputStream());
        })) {
            Connection connection = SendAllTest.connect(peer.port());
            Path file = files.resolve("received.bin");
            long written;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                written = Await.result(connection.receiveTo(channel), Duration.ofSeconds(60));
            }
            connection.close();
            Await.result(peer.done());
            assertThat(written).isEqualTo(chunks * 64L * 1024);
            assertThat(StreamData.sha256().digest(Files.readAllBytes(file))).isEqualTo(sent.digest());
            connection.close();
        }
    }

    @Test
    void sendFromAFileChannelAndFromAnInputStream() throws Exception {
        Path file = files.resolve("to-send.bin");
        MessageDigest expected = StreamData.sha256();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 160; i++) { // 10 MiB
                byte[] chunk = StreamData.chunk(i, 64 * 1024);
                expected.update(chunk);
                out.write(chunk);
            }
        }
        byte[] tail = "and the rest from a stream".getBytes(StandardCharsets.UTF_8);
        expected.update(tail);
        MessageDigest received = StreamData.sha256();
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> SendAllTest.readSlowly(socket, received))) {
            Connection connection = SendAllTest.connect(peer.port());
            long fromFile;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                fromFile = Await.result(connection.sendFrom(channel), Duration.ofSeconds(60));
            }
            long fromStream = Await.result(connection.sendFrom(new ByteArrayInputStream(tail)));
            Await.result(connection.sendFinal());
            Await.result(peer.done(), Duration.ofSeconds(60));
            assertThat(fromFile).isEqualTo(Files.size(file));
            assertThat(fromStream).isEqualTo(tail.length);
            assertThat(received.digest()).isEqualTo(expected.digest());
            connection.close();
        }
    }
}
