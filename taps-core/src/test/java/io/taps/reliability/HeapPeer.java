package io.taps.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The other end of {@link ConnectionHeapTest}, in a JVM of its own so that its sockets' heap is
 * not counted with the Connections measured: {@code connect HOST PORT N} opens N TCP connections
 * and prints {@code OPEN N}; {@code accept N} listens on 127.0.0.1, prints {@code PORT p}, accepts
 * N connections and prints {@code OPEN N}. Both hold their connections until stdin ends.
 */
public final class HeapPeer {
    private HeapPeer() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        List<SocketChannel> held = new ArrayList<>();
        if (args[0].equals("connect")) {
            InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
            int count = Integer.parseInt(args[3]);
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(target);
                channel.setOption(StandardSocketOptions.SO_LINGER, 0); // RST at the end: no TIME_WAIT
                held.add(channel);
            }
            out.println("OPEN " + held.size());
        } else {
            int count = Integer.parseInt(args[1]);
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
            out.println("PORT " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            while (held.size() < count) {
                SocketChannel channel = server.accept();
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                held.add(channel);
            }
            out.println("OPEN " + held.size());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // hold until the test closes stdin
        }
        for (SocketChannel channel : held) {
            channel.close();
        }
    }
}
