package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.spring.framer.TapsFramer;
import io.taps.spring.framer.TapsFramers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code taps.framers.*}: options of the built-in framers are checked at start-up; the wire
 * format they give is tested end to end in {@code io.taps.spring.framers.FramerOptionsTests}.
 */
class FramerSettingsTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void configuredFramersJoinTheBuiltInsAndReplaceThoseOfTheSameName() {
        this.contextRunner
            .withPropertyValues("taps.framers.line.delimiter=crlf", "taps.framers.short.type=length-prefix",
                    "taps.framers.short.length-size=2", "taps.profiles.chat.security.enabled=false", "taps.profiles.chat.framers=short,line")
            .run(context -> {
                TapsFramers framers = context.getBean(TapsFramers.class);
                assertThat(framers.names()).contains("short", "line", "length-prefix", "tlv");
                assertThat(framers.get("line")).isNotSameAs(TapsFramers.builtIns().get("line"));
                assertThat(context.getBean(TapsProfiles.class).get("chat").framerNames())
                    .containsExactly("short", "line");
            });
    }

    @Test
    void framerWithoutTypeAndWithoutABuiltInNameFails() {
        this.contextRunner.withPropertyValues("taps.framers.short.length-size=2").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.framers.short.type");
            assertThat(analysis.getAction()).contains("length-prefix, line or tlv");
        });
    }

    @Test
    void optionTheFramerTypeDoesNotHaveFails() {
        this.contextRunner.withPropertyValues("taps.framers.length-prefix.delimiter=crlf").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.framers.length-prefix.delimiter")
                .contains("length-prefix framer has no delimiter");
        });
        this.contextRunner.withPropertyValues("taps.framers.line.length-size=2").run(context -> assertThat(
                analysis(context.getStartupFailure()).getDescription()).contains("taps.framers.line.length-size"));
    }

    @Test
    void unsupportedFieldSizeFailsListingTheSizes() {
        this.contextRunner.withPropertyValues("taps.framers.tlv.type-size=3").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.framers.tlv.type-size").contains("3 bytes");
            assertThat(analysis.getAction()).contains("1, 2, 4 or 8");
        });
    }

    @Test
    void builtInNameWithAnotherTypeFails() {
        this.contextRunner.withPropertyValues("taps.framers.line.type=tlv").run(context -> assertThat(
                analysis(context.getStartupFailure()).getDescription()).contains("taps.framers.line.type")
            .contains("is a line framer"));
    }

    @Test
    void lineMaximumAboveTwoGigabytesFails() {
        this.contextRunner.withPropertyValues("taps.framers.line.max-message-size=3GB").run(context -> assertThat(
                analysis(context.getStartupFailure()).getDescription()).contains("taps.framers.line.max-message-size"));
    }

    @Test
    void sameNameConfiguredAndAsABeanFails() {
        this.contextRunner.withUserConfiguration(ShortFramerBean.class)
            .withPropertyValues("taps.framers.short.type=length-prefix")
            .run(context -> {
                FailureAnalysis analysis = analysis(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains("taps.framers.short").contains("shortFramer");
            });
    }

    @Test
    void delimitersByNameAndWithEscapes() {
        assertThat(ConfiguredFramers.delimiter("CRLF", "k")).containsExactly('\r', '\n');
        assertThat(ConfiguredFramers.delimiter("lf", "k")).containsExactly('\n');
        assertThat(ConfiguredFramers.delimiter("nul", "k")).containsExactly(0);
        assertThat(ConfiguredFramers.delimiter("\r\n", "k")).containsExactly('\r', '\n');
        assertThat(ConfiguredFramers.delimiter("\\r\\n", "k")).containsExactly('\r', '\n');
        assertThat(ConfiguredFramers.delimiter("||\\x00\\\\", "k")).containsExactly('|', '|', 0, '\\');
        assertThat(ConfiguredFramers.delimiter("§", "k")).containsExactly(0xc2, 0xa7);
        for (String bad : new String[] { "\\q", "\\x4", "\\" }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfiguredFramers.delimiter(bad, "k"))
                .isInstanceOf(TapsConfigurationException.class)
                .hasMessageContaining("is not a delimiter");
        }
    }

    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new TapsConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }

    @Configuration(proxyBeanMethods = false)
    static class ShortFramerBean {
        @Bean
        @TapsFramer("short")
        FramerFactory shortFramer() {
            return LengthPrefixFramer.factory(2);
        }
    }
}
