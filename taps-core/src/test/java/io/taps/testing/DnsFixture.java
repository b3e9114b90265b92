package io.taps.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import io.taps.internal.resolve.ResolverConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real, authoritative-looking DNS server on {@code 127.0.0.1} for tests (RFC 9622 §6.1 late
 * resolution, checklist C-11, M-75): tests resolve names against it instead of the machine's
 * configured resolver, which points at a real server and must never be queried from a test.
 *
 * <p>Built on Netty's DNS codec over a loopback UDP socket on an ephemeral port. Names are
 * case-insensitive and a trailing dot is ignored. A name with no records of any type answers
 * NXDOMAIN; a known name without records of the asked type answers NOERROR with no answer (NODATA).
 * {@link #delay} holds back the answer for one type, which a longer delay than the resolver's query
 * timeout turns into "never answers". Thread-safe: records may be changed while queries arrive.
 */
public final class DnsFixture implements AutoCloseable {

    private static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    private final EventLoopGroup group;
    private final Channel channel;
    private final Map<String, Map<DnsRecordType, List<byte[]>>> records = new ConcurrentHashMap<>();
    private final Map<String, Duration> ttls = new ConcurrentHashMap<>();
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    private DnsFixture(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Starts a server on 127.0.0.1 with an ephemeral UDP port and no records. */
    public static DnsFixture start() {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        DnsFixture[] holder = new DnsFixture[1];
        try {
            Channel ch = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<NioDatagramChannel>() {
                        @Override
                        protected void initChannel(NioDatagramChannel c) {
                            c.pipeline().addLast(new DatagramDnsQueryDecoder(),
                                    new DatagramDnsResponseEncoder(), new Handler(holder));
                        }
                    })
                    .bind(new InetSocketAddress(NetUtil.LOCALHOST4, 0))
                    .syncUninterruptibly()
                    .channel();
            holder[0] = new DnsFixture(group, ch);
            return holder[0];
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The server's address, to put into {@link ResolverConfig#nameServers()}. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * A resolver configuration that asks only this server, reads no hosts file and uses no search
     * domains, so that nothing but this fixture influences the answer. Query timeout 1 s.
     */
    public ResolverConfig forFixture() {
        return ResolverConfig.builder()
                .nameServers(List.of(address()))
                .useHostsFile(false)
                .searchDomains(List.of())
                .queryTimeout(Duration.ofSeconds(1))
                .build();
    }

    /** Like {@link #forFixture()} but with the hosts file at {@code hostsFile} consulted first. */
    public ResolverConfig forFixture(Path hostsFile) {
        return forFixture().toBuilder().useHostsFile(true).hostsFile(hostsFile).build();
    }

    /** Adds A records for {@code name}; with no addresses the name exists but has no A record. */
    public DnsFixture a(String name, String... ipv4) {
        return add(name, DnsRecordType.A, 4, ipv4);
    }

    /** Adds AAAA records for {@code name}; with no addresses the name exists without AAAA. */
    public DnsFixture aaaa(String name, String... ipv6) {
        return add(name, DnsRecordType.AAAA, 16, ipv6);
    }

    /**
     * Adds an HTTPS record (RFC 9460, type 65) for {@code name} written in presentation format, e.g.
     * {@code "1 . alpn=h3 port=8443 ipv4hint=127.0.0.1"}; encoded with dnsjava. For a port other
     * than 443 the name a client asks is {@code _PORT._https.NAME} (RFC 9460 §9.1).
     */
    public DnsFixture https(String name, String presentation) {
        byte[] rdata = httpsRdata(name, presentation);
        records.computeIfAbsent(key(name), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(DnsRecordType.HTTPS, t -> new CopyOnWriteArrayList<>())
                .add(rdata);
        return this;
    }

    /** The wire-format RDATA of an HTTPS record in presentation format (for dnsmasq's {@code dns-rr}, too). */
    public static byte[] httpsRdata(String name, String presentation) {
        try {
            org.xbill.DNS.Name owner = org.xbill.DNS.Name.fromString(name.endsWith(".") ? name : name + ".");
            return org.xbill.DNS.Record.fromString(owner, org.xbill.DNS.Type.HTTPS, org.xbill.DNS.DClass.IN, 60,
                    presentation, org.xbill.DNS.Name.root).rdataToWireCanonical();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not an HTTPS record: " + presentation + ": " + e.getMessage(), e);
        }
    }

    private DnsFixture add(String name, DnsRecordType type, int length, String... literals) {
        List<byte[]> parsed = new ArrayList<>();
        for (String literal : literals) {
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
            if (bytes == null || bytes.length != length) {
                throw new IllegalArgumentException(literal + " is not a " + type.name() + " address");
            }
            parsed.add(bytes);
        }
        records.computeIfAbsent(key(name), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(type, t -> new CopyOnWriteArrayList<>())
                .addAll(parsed);
        return this;
    }

    /** The TTL of every record of {@code name} (default 60 s). */
    public DnsFixture ttl(String name, Duration ttl) {
        ttls.put(key(name), ttl);
        return this;
    }

    /** Answers queries of {@code type} for {@code name} only after {@code delay}. */
    public DnsFixture delay(String name, DnsRecordType type, Duration delay) {
        delays.put(key(name) + '/' + type.name(), delay);
        return this;
    }

    /** How many queries of {@code type} for {@code name} arrived so far, answered or not. */
    public int queryCount(String name, DnsRecordType type) {
        AtomicInteger count = counts.get(key(name) + '/' + type.name());
        return count == null ? 0 : count.get();
    }

    /** Queries of any type that arrived for {@code name}. */
    public int queryCount(String name) {
        String prefix = key(name) + '/';
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** Queries of any name and type that arrived so far. */
    public int totalQueryCount() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        private final DnsFixture[] holder;

        Handler(DnsFixture[] holder) {
            this.holder = holder;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsFixture fixture = holder[0];
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            if (fixture == null || question == null) {
                return;
            }
            String name = key(question.name());
            DnsRecordType type = question.type();
            String typeKey = name + '/' + type.name();
            fixture.counts.computeIfAbsent(typeKey, k -> new AtomicInteger()).incrementAndGet();

            // Copy what the answer needs: the query is released when this method returns.
            InetSocketAddress client = query.sender();
            InetSocketAddress self = query.recipient();
            int id = query.id();
            String wireName = question.name();
            Map<DnsRecordType, List<byte[]>> byType = fixture.records.get(name);
            long ttl = fixture.ttls.getOrDefault(name, DEFAULT_TTL).toSeconds();
            List<byte[]> answers = byType == null ? List.of() : List.copyOf(byType.getOrDefault(type, List.of()));
            boolean exists = byType != null;

            Runnable respond = () -> {
                DatagramDnsResponse response = new DatagramDnsResponse(self, client, id, DnsOpCode.QUERY,
                        exists ? DnsResponseCode.NOERROR : DnsResponseCode.NXDOMAIN);
                response.setAuthoritativeAnswer(true).setRecursionAvailable(true);
                response.setRecursionDesired(true);
                response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(wireName, type));
                for (byte[] address : answers) {
                    response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(wireName, type, ttl,
                            Unpooled.wrappedBuffer(address)));
                }
                ctx.writeAndFlush(response);
            };
            Duration delay = fixture.delays.get(typeKey);
            if (delay == null || delay.isZero()) {
                respond.run();
            } else {
                ctx.executor().schedule(respond, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }
}
