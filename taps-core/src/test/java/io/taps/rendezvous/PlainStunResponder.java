package io.taps.rendezvous;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A STUN server independent of taps (RFC 8489 §6.3: a Binding success with XOR-MAPPED-ADDRESS,
 * no FINGERPRINT required of the client), on plain JDK sockets, run as a child JVM in the
 * "internet" namespace of {@link NatTopology}: {@code PlainStunResponder ip port}. Prints
 * {@code ready=1} once bound.
 */
public final class PlainStunResponder {
    private PlainStunResponder() {
    }

    public static void main(String[] args) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[0]),
                Integer.parseInt(args[1])))) {
            System.out.println("ready=1");
            System.out.flush();
            byte[] buffer = new byte[1500];
            while (true) {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                ByteBuffer request = ByteBuffer.wrap(in.getData(), 0, in.getLength());
                if (in.getLength() < 20 || request.getShort(0) != 0x0001 || request.getInt(4) != 0x2112A442) {
                    continue;
                }
                byte[] ip = in.getAddress().getAddress();
                ByteBuffer out = ByteBuffer.allocate(20 + 4 + 4 + ip.length);
                out.putShort((short) 0x0101).putShort((short) (4 + 4 + ip.length)).putInt(0x2112A442);
                out.put(in.getData(), 8, 12);
                out.putShort((short) 0x0020).putShort((short) (4 + ip.length));
                out.put((byte) 0).put((byte) (ip.length == 4 ? 1 : 2));
                out.putShort((short) (in.getPort() ^ 0x2112));
                byte[] mask = ByteBuffer.allocate(16).putInt(0x2112A442).put(in.getData(), 8, 12).array();
                for (int i = 0; i < ip.length; i++) {
                    out.put((byte) (ip[i] ^ mask[i]));
                }
                socket.send(new DatagramPacket(out.array(), out.position(), in.getSocketAddress()));
            }
        }
    }
}
