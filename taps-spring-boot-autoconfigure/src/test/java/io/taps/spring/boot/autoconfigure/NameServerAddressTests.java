package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

class NameServerAddressTests {

    @Test
    void bracketedIpv6WithPortIsThatAddressAndPort() throws Exception {
        InetSocketAddress address = NameServerAddress.parse("[::1]:5353");
        assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(address.getPort()).isEqualTo(5353);
    }

    @Test
    void bracketedIpv6WithoutPortUsesPort53() throws Exception {
        InetSocketAddress address = NameServerAddress.parse("[::1]");
        assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(address.getPort()).isEqualTo(53);
    }

    @Test
    void ipv4WithPort() throws Exception {
        InetSocketAddress address = NameServerAddress.parse("127.0.0.1:5353");
        assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(address.getPort()).isEqualTo(5353);
    }

    @Test
    void bareAddressesUsePort53() throws Exception {
        assertThat(NameServerAddress.parse("127.0.0.1")).isEqualTo(new InetSocketAddress("127.0.0.1", 53));
        assertThat(NameServerAddress.parse("::1").getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(NameServerAddress.parse("::1").getPort()).isEqualTo(53);
        assertThat(NameServerAddress.parse("2001:db8:0:0:0:0:0:1").getPort()).isEqualTo(53);
    }

    @Test
    void bareIpv6FollowedByWhatLooksLikeAPortIsRejectedAsAmbiguous() {
        assertThatThrownBy(() -> NameServerAddress.parse("::1:5353"))
            .isInstanceOf(TapsConfigurationException.class)
            .hasMessageContaining("taps.name-servers")
            .hasMessageContaining("ambiguous")
            .hasMessageContaining("[::1]:5353");
    }

    @Test
    void invalidPortsAreRejectedNamingTheEntry() {
        assertThatThrownBy(() -> NameServerAddress.parse("127.0.0.1:99999"))
            .isInstanceOf(TapsConfigurationException.class)
            .hasMessageContaining("'127.0.0.1:99999'");
        assertThatThrownBy(() -> NameServerAddress.parse("[::1]:dns"))
            .isInstanceOf(TapsConfigurationException.class)
            .hasMessageContaining("not a number");
        assertThatThrownBy(() -> NameServerAddress.parse("[::1"))
            .isInstanceOf(TapsConfigurationException.class);
    }
}
