package io.taps.internal.multicast;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.blocking.BlockingWork;
import java.util.concurrent.CompletionException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.stack.ChannelLink;
import io.netty.channel.ChannelInitializer;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Direction;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * Establishes a multicast send Connection (RFC 9622 §6.1.1, RFC 9623 §10.5; A-03, EP-03): a UDP
 * socket connected to the group, which sends nothing and joins nothing. The hop limit of the
 * RemoteEndpoint becomes the multicast TTL / hop count; the outgoing interface is the
 * LocalEndpoint's (or the RemoteEndpoint's) interface, or the interface of the LocalEndpoint's
 * address; copies of its own datagrams are looped back to receivers on this host. The Connection
 * is send-only: its direction is unidirectional send, so Receive fails.
 */
public record MulticastSend(InetSocketAddress group, InetSocketAddress bindAddress, String interfaceName,
        Integer hopLimit) {

    /** setsockopt(IPPROTO_IP, IP_MULTICAST_TTL) on Linux. */
    static final IntegerUnixChannelOption EPOLL_MULTICAST_TTL = new IntegerUnixChannelOption("IP_MULTICAST_TTL", 0, 33);
    /** setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS) on Linux. */
    static final IntegerUnixChannelOption EPOLL_MULTICAST_HOPS =
            new IntegerUnixChannelOption("IPV6_MULTICAST_HOPS", 41, 18);

    /** True when the Preconnection's RemoteEndpoint is a multicast group. */
    public static boolean requested(PreconnectionSpec spec) {
        for (RemoteEndpoint remote : spec.remotes()) {
            if (remote.isMulticast()) {
                return true;
            }
        }
        return false;
    }

    /** Reads the send request; a contradictory one fails with INVALID_CONFIGURATION (ERR-01). */
    public static MulticastSend of(PreconnectionSpec spec) {
        if (spec.remotes().size() != 1) {
            throw invalid("a multicast send Connection has exactly one RemoteEndpoint (the group), got "
                    + spec.remotes());
        }
        if (spec.locals().size() > 1) {
            throw invalid("a multicast send Connection takes at most one LocalEndpoint, got " + spec.locals());
        }
        if (spec.properties().get(Property.DIRECTION) == Direction.UNIDIRECTIONAL_RECEIVE) {
            throw invalid("a multicast group as remote endpoint only sends, but direction is unidirectional receive"
                    + " (RFC 9622 §6.1.1)");
        }
        RemoteEndpoint remote = spec.remotes().get(0);
        InetAddress groupAddress = remote.ipAddress().orElseThrow();
        if (remote.effectivePort() == 0) {
            throw invalid("a multicast send needs the group's port: " + remote);
        }
        InetSocketAddress bind = null;
        String interfaceName = remote.interfaceName().orElse(null);
        if (!spec.locals().isEmpty()) {
            LocalEndpoint local = spec.locals().get(0);
            if (local.hostName().isPresent() && local.ipAddress().isEmpty()) {
                throw invalid("a multicast sender's LocalEndpoint takes an IP address or an interface, not the"
                        + " host name " + local.hostName().get());
            }
            InetAddress localAddress = local.ipAddress().orElse(null);
            if (localAddress != null && (localAddress instanceof Inet4Address) != (groupAddress instanceof Inet4Address)) {
                throw invalid("local address " + localAddress.getHostAddress() + " and group "
                        + groupAddress.getHostAddress() + " are of different address families");
            }
            if (localAddress != null || local.hasPort()) {
                bind = localAddress == null ? new InetSocketAddress(local.effectivePort())
                        : new InetSocketAddress(localAddress, local.effectivePort());
            }
            if (local.interfaceName().isPresent()) {
                interfaceName = local.interfaceName().get();
            }
        }
        return new MulticastSend(new InetSocketAddress(groupAddress, remote.effectivePort()), bind, interfaceName,
                remote.hopLimit().orElse(null));
    }

    /** The properties of the send-only Connection: the application's, with direction unidirectional send. */
    public static TransportProperties sendOnly(TransportProperties properties) {
        return properties.toBuilder().direction(Direction.UNIDIRECTIONAL_SEND).build();
    }

    /** Opens the socket connected to the group on the attempt's loop; the attempt succeeds once it is. */
    void connect(TapsAttempt attempt) {
        // Finding the interface makes system calls: off the event loop, then on with the attempt there.
        BlockingWork.supply(this::outgoingInterface, attempt.environment().blocking())
                .whenComplete((outgoing, failure) -> TapsAttempt.onLoop(attempt.eventLoop(), () -> {
                    if (failure != null) {
                        attempt.fail(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else if (!attempt.outcome().isDone()) {
                        connect(attempt, outgoing);
                    }
                }));
    }

    private void connect(TapsAttempt attempt, NetworkInterface outgoing) {
        Bootstrap bootstrap = bootstrap(attempt.environment().transport(), outgoing).group(attempt.eventLoop())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        attempt.attach(channel, null, attached -> new ChannelLink(attached, StackKind.UDP));
                    }
                });
        ChannelFuture connecting = bindAddress == null ? bootstrap.connect(group) : bootstrap.connect(group, bindAddress);
        attempt.onCancel(() -> connecting.channel().close());
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.fail(failure(done.cause()));
            }
        });
    }

    /**
     * The socket settings of the send Connection: its family, whole-datagram receive buffers, the
     * hop limit (IP_MULTICAST_TTL, or the IPv6 multicast hop count) and the outgoing interface.
     */
    Bootstrap bootstrap(IoTransport transport, NetworkInterface outgoing) {
        SocketProtocolFamily family = group.getAddress() instanceof Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        Bootstrap bootstrap = new Bootstrap()
                .channelFactory(() -> transport.newDatagramChannel(family))
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK);
        // Loopback of own datagrams stays at the Linux default (on). IP_MULTICAST_LOOP_DISABLED is
        // not set: Netty's NIO channel passes it to IP_MULTICAST_LOOP unchanged, so false turns
        // loopback off there (seen in a namespace: an IPv6 receiver on the sending host got nothing).

        if (hopLimit != null) {
            if (transport == IoTransport.EPOLL) {
                // Netty's epoll IP_MULTICAST_TTL sets IP_TTL, which multicast datagrams ignore.
                bootstrap.option(family == SocketProtocolFamily.INET ? EPOLL_MULTICAST_TTL : EPOLL_MULTICAST_HOPS,
                        hopLimit);
            } else {
                // The JDK maps it to IP_MULTICAST_TTL or IPV6_MULTICAST_HOPS by the socket's family.
                bootstrap.option(ChannelOption.IP_MULTICAST_TTL, hopLimit);
            }
        }
        if (outgoing != null) {
            bootstrap.option(ChannelOption.IP_MULTICAST_IF, outgoing);
        }
        return bootstrap;
    }

    NetworkInterface outgoingInterface() {
        BlockingWork.check("looking up a network interface");
        try {
            if (interfaceName != null) {
                NetworkInterface named = NetworkInterface.getByName(interfaceName);
                if (named == null) {
                    throw new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                            "cannot send to " + group + ": no interface " + interfaceName);
                }
                return named;
            }
            if (bindAddress != null && !bindAddress.getAddress().isAnyLocalAddress()) {
                return NetworkInterface.getByInetAddress(bindAddress.getAddress());
            }
            return null;
        } catch (SocketException e) {
            throw new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                    "cannot find the interface to send to " + group + " on: " + e, e);
        }
    }

    private TransportServicesException failure(Throwable cause) {
        return cause instanceof TransportServicesException ? (TransportServicesException) cause
                : new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                        "UDP multicast to " + group + " failed: " + cause.getMessage(), cause);
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }
}
