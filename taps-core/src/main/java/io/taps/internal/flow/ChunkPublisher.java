package io.taps.internal.flow;

import io.taps.Message;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code Connection.sendFrom(InputStream | ReadableByteChannel)}: the source's bytes as Messages of
 * at most {@link #CHUNK} bytes, read only on demand. Reading blocks, so it runs on a thread of its
 * own (one per transfer, ended with it), never on an event loop. The source is not closed: its
 * owner closes it.
 */
public final class ChunkPublisher extends SingleFetchPublisher<Message> {
    /** The most bytes one read (one Message) takes. */
    public static final int CHUNK = 64 * 1024;

    private final ReadableByteChannel source;
    private final ExecutorService reader;

    public ChunkPublisher(ReadableByteChannel source) {
        super("the chunks of " + source);
        this.source = source;
        this.reader = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "taps-sendFrom");
            thread.setDaemon(true);
            return thread;
        });
    }

    public ChunkPublisher(InputStream source) {
        this(Channels.newChannel(source));
    }

    @Override
    protected void startFetch() {
        reader.execute(this::readOne);
    }

    @Override
    protected void cancelled() {
        reader.shutdown();
    }

    private void readOne() {
        Message chunk = null;
        Object ended = null;
        try {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            int read;
            do {
                read = source.read(buffer);
            } while (read == 0);
            if (read < 0) {
                ended = COMPLETE;
            } else {
                byte[] bytes = buffer.array();
                chunk = Message.wrap(buffer.position() == CHUNK ? bytes : Arrays.copyOf(bytes, buffer.position()));
            }
        } catch (IOException | RuntimeException failure) {
            ended = failure;
        }
        if (ended != null) {
            reader.shutdown();
        }
        fetched(chunk, ended);
    }
}
