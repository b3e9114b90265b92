package io.taps.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report reads JMH's JSON, pairs taps with raw Netty, takes medians and orients the ratio. */
class ReportTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parse(String json) {
        return (List<Map<String, Object>>) new Json(json).value();
    }

    private static String result(String side, String workload, double score, double p50, double alloc) {
        return result("Flows", side, workload, score, p50, alloc);
    }

    private static String result(String benchmark, String side, String workload, double score, double p50,
            double alloc) {
        return "{\"benchmark\": \"io.taps.benchmarks." + benchmark + "." + side + "\", \"mode\": \"thrpt\","
                + " \"jdkVersion\": \"17\", \"vmName\": \"VM\", \"vmVersion\": \"1\","
                + " \"params\": {\"workload\": \"" + workload + "\"},"
                + " \"primaryMetric\": {\"score\": " + score + ", \"scoreError\": \"NaN\", \"scoreUnit\": \"ops/s\"},"
                + " \"secondaryMetrics\": {\"rtt.p50\": {\"score\": " + p50 + "}, \"rtt.p99\": {\"score\": 1.5e2},"
                + " \"gc.alloc.rate.norm\": {\"score\": " + alloc + "}}}";
    }

    @Test
    void pairsSidesTakesMediansAndOrientsRatios() {
        List<Map<String, Object>> round1 = parse("[" + result("taps", "TCP", 40_000, 10, 200) + ", "
                + result("netty", "TCP", 100_000, 5, 100) + "]");
        List<Map<String, Object>> round2 = parse("[" + result("taps", "TCP", 20_000, 30, 200) + ", "
                + result("netty", "TCP", 100_000, 5, 100) + "]");
        List<Map<String, Object>> round3 = parse("[" + result("taps", "TCP", 50_000, 20, 200) + ", "
                + result("netty", "TCP", 100_000, 5, 100) + "]");

        String table = Report.render("title", List.of(round1, round2, round3));

        // median 40,000 round trips/s against 100,000: taps at 0.40 of raw
        assertThat(table).contains("| 2 TCP 64 B request/response, length prefix, 1 outstanding | round trips/s | 40,000 | 100,000 | 0.40 |");
        // latency: lower is better, so the ratio is raw/taps
        assertThat(table).contains("| 2   latency p50 | µs | 20.0 | 5.00 | 0.25 |");
        assertThat(table).contains("| 8 allocation per TCP round trip | B/op | 200 | 100 | 0.50 |");
        assertThat(table).contains("| 1 bulk TCP, 1 connection, 64 KiB writes | Gbit/s | - | - | - |");
        // what --check reports: every cell without a result
        assertThat(Report.missing(List.of(round1))).contains("1 bulk TCP, 1 connection, 64 KiB writes (taps)")
                .contains("7 QUIC 64 B request/response on one stream, length prefix, 1 outstanding (netty)")
                .doesNotContain("2 TCP 64 B request/response, length prefix, 1 outstanding (taps)");
    }

    /**
     * A ratio compares the two sides of the same round: in session 13's run, one slow period made the
     * TCP request/response row print 0.78 from column medians while its rounds read 0.78, 0.97 and 0.97.
     */
    @Test
    void ratiosAreMediansOfPerRoundPairsListedByRound() {
        List<Map<String, Object>> fast = parse("[" + result("taps", "TCP", 100_000, 10, 0) + ", "
                + result("netty", "TCP", 100_000, 10, 0) + "]");
        List<Map<String, Object>> slowForBoth = parse("[" + result("taps", "TCP", 50_000, 20, 0) + ", "
                + result("netty", "TCP", 50_000, 20, 0) + "]");
        List<Map<String, Object>> slowForTaps = parse("[" + result("taps", "TCP", 60_000, 30, 0) + ", "
                + result("netty", "TCP", 100_000, 10, 0) + "]");

        String table = Report.render("title", List.of(fast, slowForBoth, slowForTaps));

        // column medians 60,000 vs 100,000 would print 0.60; the pairs read 1.00, 1.00 and 0.60
        assertThat(table).contains("| 2 TCP 64 B request/response, length prefix, 1 outstanding | round trips/s | 60,000 | 100,000 | 1.00 | - | - | 1.00 / 1.00 / 0.60 |");
        // latency pairs: 10/10, 20/20, 10/30 (raw/taps)
        assertThat(table).contains("| 2   latency p50 | µs | 20.0 | 10.0 | 1.00 | - | - | 1.00 / 1.00 / 0.33 |");
    }

    @Test
    void filesOfOneRoundMakeOneRound(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("steady-2-TCP-taps.json"), "[" + result("taps", "TCP", 60_000, 30, 0) + "]");
        java.nio.file.Files.writeString(dir.resolve("steady-2-TCP-netty.json"), "[" + result("netty", "TCP", 100_000, 10, 0) + "]");
        java.nio.file.Files.writeString(dir.resolve("steady-1-TCP-netty.json"), "[" + result("netty", "TCP", 50_000, 20, 0) + "]");
        java.nio.file.Files.writeString(dir.resolve("steady-1-TCP-taps.json"), "[" + result("taps", "TCP", 50_000, 20, 0) + "]");
        java.nio.file.Files.writeString(dir.resolve("scale.json"), "[]");

        List<List<Map<String, Object>>> rounds = Report.rounds(List.of(dir.resolve("steady-2-TCP-taps.json"),
                dir.resolve("scale.json"), dir.resolve("steady-1-TCP-netty.json"), dir.resolve("steady-2-TCP-netty.json"),
                dir.resolve("steady-1-TCP-taps.json")));

        assertThat(rounds).hasSize(3);
        assertThat(rounds.get(0)).hasSize(2);
        assertThat(rounds.get(2)).isEmpty();
        assertThat(Report.render(null, rounds)).contains("| 55,000 | 75,000 | 0.80 | - | - | 1.00 / 0.60 |");


        assertThat(Report.roundOf(java.nio.file.Path.of("/out/steady-2-PIPELINED-taps.json"))).isEqualTo(2);
        assertThat(Report.roundOf(java.nio.file.Path.of("steady-3-DTLS-netty.json"))).isEqualTo(3);
        assertThat(Report.roundOf(java.nio.file.Path.of("setup-1-reactor.json"))).isEqualTo(1);
        assertThat(Report.roundOf(java.nio.file.Path.of("first-message-12.json"))).isEqualTo(12);
        assertThat(Report.roundOf(java.nio.file.Path.of("first-message-2-taps-TFO.json"))).isEqualTo(2);
        assertThat(Report.roundOf(java.nio.file.Path.of("candidates-1-netty.json"))).isEqualTo(1);
        assertThat(Report.roundOf(java.nio.file.Path.of("candidates-smoke.json"))).isNull();
        assertThat(Report.roundOf(java.nio.file.Path.of("scale.json"))).isNull();
        assertThat(Report.roundOf(java.nio.file.Path.of("scale-3-taps.json"))).isEqualTo(3);
        assertThat(Report.roundOf(java.nio.file.Path.of("scale-smoke.json"))).isNull();
        assertThat(Report.roundOf(java.nio.file.Path.of("alloc.json"))).isNull();
        assertThat(Report.roundOf(java.nio.file.Path.of("first-message-smoke.json"))).isNull();
    }

    @Test
    void addsReactorNettyColumnsAndNotApplicableReasons() {
        List<Map<String, Object>> round = parse("[" + result("taps", "TCP", 40_000, 10, 200) + ", "
                + result("netty", "TCP", 100_000, 5, 100) + ", " + result("reactor", "TCP", 50_000, 8, 400) + ", "
                + result("taps", "QUIC", 10, 10, 10) + ", " + result("netty", "QUIC", 10, 10, 10) + "]");

        String table = Report.render("title", "CPU 1 (taskset -c 1)", List.of(round));

        assertThat(table).contains("| figure | unit | taps | raw Netty | taps vs raw | Reactor Netty | taps vs Reactor |");
        assertThat(table).contains("| 2 TCP 64 B request/response, length prefix, 1 outstanding | round trips/s | 40,000 | 100,000 | 0.40 | 50,000 | 0.80 |");
        assertThat(table).contains("| 2   latency p50 | µs | 10.0 | 5.00 | 0.50 | 8.00 | 0.80 |");
        assertThat(table).contains("| 8 allocation per TCP round trip | B/op | 200 | 100 | 0.50 | 400 | 2.00 |");
        // no Reactor Netty QUIC: n/a, with the reason under the table, and --check does not ask for it
        assertThat(table).contains("| 7 QUIC 64 B request/response on one stream, length prefix, 1 outstanding | round trips/s | 10.0 | 10.0 | 1.00 | n/a | n/a |");
        assertThat(table).contains("n/a (QUIC): reactor-netty-core has no QUIC");
        assertThat(table).contains("CPU pinning: CPU 1 (taskset -c 1)");
        assertThat(Report.missing(List.of(round)))
                .doesNotContain("2 TCP 64 B request/response, length prefix, 1 outstanding (reactor)")
                .doesNotContain("7 QUIC 64 B request/response on one stream, length prefix, 1 outstanding (reactor)")
                .contains("5 TLS 1.3 64 B request/response, 1 outstanding (reactor)");
    }

    @Test
    void turnsScaleSweepsIntoRoundTripsAndSkipsRowsNotRun() {
        String taps = "{\"benchmark\": \"io.taps.benchmarks.Scale.taps\", \"mode\": \"thrpt\","
                + " \"params\": {\"workload\": \"1000\"}, \"primaryMetric\": {\"score\": 20},"
                + " \"secondaryMetrics\": {\"scale.heapPerConnection\": {\"score\": 3000}, \"scale.rssMiB\": {\"score\": 150},"
                + " \"scale.allocationPerEcho\": {\"score\": 160}}}";
        String netty = taps.replace("Scale.taps", "Scale.netty").replace("3000", "1500").replace(": 20", ": 25")
                .replace(": 160", ": 80");
        List<Map<String, Object>> round = parse("[" + taps + ", " + netty + "]");

        String table = Report.render(null, List.of(round));

        // 20 sweeps/s over 1,000 connections: 20,000 round trips/s; heap: lower is better, raw/taps
        assertThat(table).contains("| 12 1,000 idle-then-active TCP connections on one listener: echo, all open | round trips/s | 20,000 | 25,000 | 0.80 |");
        assertThat(table).contains("| 12   heap per connection (server, after GC) | bytes | 3,000 | 1,500 | 0.50 |");
        // the server's garbage per echo: B/op, lower is better
        assertThat(table).contains("| 12   allocation per echo (server, all threads) | B/op | 160 | 80.0 | 0.50 |");
        assertThat(Report.missing(List.of(round), java.util.Set.of("Scale:10000", "Scale:50000")))
                .contains("12 1,000 idle-then-active TCP connections on one listener: echo, all open (reactor)")
                .noneMatch(cell -> cell.startsWith("12 10,000") || cell.startsWith("12 50,000"));
        assertThat(Report.missing(List.of(round))).anyMatch(cell -> cell.startsWith("12 50,000"));
    }

    /**
     * The allocation run (GC profiler, shorter warm-up) gives the B/op rows only: counted as a fourth
     * round it moved the median of figures 2, 5 and 6 to the mean of two rounds (session 11's TLS
     * request/response cell read 32,745, between taps' 26,880 and 38,610).
     */
    @Test
    void anAllocationRunCountsForTheAllocationRowsOnly() {
        List<Map<String, Object>> round1 = parse("[" + timed("taps", 38_000, 10) + ", "
                + timed("netty", 40_000, 5) + "]");
        List<Map<String, Object>> round2 = parse("[" + timed("taps", 27_000, 10) + ", "
                + timed("netty", 41_000, 5) + "]");
        List<Map<String, Object>> round3 = parse("[" + timed("taps", 39_000, 10) + ", "
                + timed("netty", 39_000, 5) + "]");
        List<Map<String, Object>> allocation = Report.allocationRun(parse("[" + result("taps", "TLS", 20_000, 90, 1200) + ", "
                + result("netty", "TLS", 45_000, 1, 1100) + "]"));

        String table = Report.render("title", List.of(round1, round2, round3, allocation));

        assertThat(table).contains("| 5 TLS 1.3 64 B request/response, 1 outstanding | round trips/s | 38,000 | 40,000 | 0.95 |");
        assertThat(table).contains("| 5   latency p50 | µs | 10.0 | 5.00 | 0.50 |");
        assertThat(table).contains("| 8 allocation per TLS round trip | B/op | 1,200 | 1,100 | 0.92 |");
    }

    /** A TLS result of a round: no GC profiler, so no allocation figure. */
    private static String timed(String side, double score, double p50) {
        return result(side, "TLS", score, p50, 0).replaceAll(", \"gc\\.alloc\\.rate\\.norm\": \\{[^}]*\\}", "");
    }

    @Test
    void readsStringsEscapesAndLiterals() {
        Object value = new Json("{\"a\": [true, false, null, -1.5e-3], \"b\": \"x\\\"\\u00b5\"}").value();
        assertThat(value).isEqualTo(Map.of("a", java.util.Arrays.asList(true, false, null, -1.5e-3), "b", "x\"µ"));
    }
}
