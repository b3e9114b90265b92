package io.taps.testing;

import io.taps.TransportServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link DnsFixture} plus an empty hosts file: a {@link TransportServices} built from
 * {@link #transportServices()} resolves names only through the fixture, never through the
 * machine's resolver or {@code /etc/hosts}.
 */
public final class IsolatedResolution implements AutoCloseable {
    private final DnsFixture dns;
    private final Path hostsFile;

    private IsolatedResolution(DnsFixture dns, Path hostsFile) {
        this.dns = dns;
        this.hostsFile = hostsFile;
    }

    public static IsolatedResolution start() throws IOException {
        Path hosts = Files.createTempFile("taps-hosts", ".txt");
        Files.writeString(hosts, "# empty hosts file: names resolve through the DNS fixture only\n");
        try {
            return new IsolatedResolution(DnsFixture.start(), hosts);
        } catch (RuntimeException e) {
            Files.deleteIfExists(hosts);
            throw e;
        }
    }

    public DnsFixture dns() {
        return dns;
    }

    /** A builder that resolves through the fixture only; the caller adds its own settings. */
    public TransportServices.Builder transportServices() {
        return TransportServices.builder().nameServers(List.of(dns.address())).hostsFile(hostsFile);
    }

    @Override
    public void close() throws IOException {
        dns.close();
        Files.deleteIfExists(hostsFile);
    }
}
