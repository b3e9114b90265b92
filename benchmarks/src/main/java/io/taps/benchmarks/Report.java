package io.taps.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JMH JSON result files ({@code -rf json}) and prints the one table of the suite: figure,
 * unit, taps, raw Netty, their ratio, and the second baseline Reactor Netty with taps' ratio to it
 * ("n/a" where Reactor Netty has no counterpart, {@link #REACTOR_NOT_APPLICABLE}). Several files
 * (rounds of the same suite) are merged: each value cell is the median over the rounds that have it.
 * Files whose name carries a round number ({@code steady-2-TCP-taps.json}, {@code setup-2-netty.json},
 * {@code first-message-2-taps-TCP.json}: {@link #roundOf}) make up that round together; any other file is a
 * round of its own.
 *
 * <p>A ratio cell is the median of the per-round ratios, each taken between the two sides of the
 * same round (run.sh runs them back to back), and the last column lists those per-round ratios. The
 * machine has slow periods of tens of seconds to minutes; a ratio of column medians let one slow
 * fork on one side decide a row (session 13's TCP request/response printed 0.78 while its rounds
 * read 0.78, 0.97 and 0.97: round 3 was slow for both libraries, so both medians came from round 1,
 * where only taps' fork was slow), while a pair ratio compares only what ran under the same
 * conditions. Needs only a JDK ({@link Json}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.taps.benchmarks.Report [--title TEXT] [--pinning TEXT]
 * [--not-run BENCH:WORKLOAD,...] [--check] result.json...}; with {@code --check} it exits with
 * status 1 when a cell has no result (a broken harness), except in the rows {@code --not-run}
 * names (skipped on purpose, as the smoke run skips the 10,000 and 50,000 connection rows);
 * {@code --pinning} says how the run was pinned (run.sh passes it); each {@code --note} is printed
 * under the table (why rows were not run, say).
 */
public final class Report {
    private static final double GBIT = 1e9;
    /** The round number in run.sh's result file names: {@code steady-2-TCP-taps.json}, {@code setup-2-taps.json}, {@code first-message-2-taps-TCP.json}, {@code candidates-1-netty.json}, {@code scale-2-taps.json}. */
    private static final Pattern ROUND_IN_NAME = Pattern.compile("^(?:steady|setup|first-message|candidates|scale)-(\\d+)(?:-.*)?\\.json$");

    /** One row: which benchmark pair, which parameter, and how a JMH result becomes the cell's number. */
    private record Row(String figure, String unit, String benchmark, String workload, String mode, Metric metric,
            boolean higherIsBetter) {
    }

    /** How a value is read from one JMH result object. */
    private interface Metric extends ToDoubleFunction<Map<String, Object>> {
    }

    private static final Metric SCORE = result -> number(path(result, "primaryMetric", "score"));
    /** The key {@link #allocationRun} adds to a result of the allocation run. */
    private static final String ALLOCATION_RUN = "taps.allocationRun";
    private static final Metric ALLOCATION = result -> number(path(result, "secondaryMetrics", "gc.alloc.rate.norm", "score"));

    /** A round-trip percentile added by {@link LatencyProfiler}, in µs. */
    private static Metric latency(String which) {
        return result -> number(path(result, "secondaryMetrics", "rtt." + which, "score"));
    }

    private static Metric scaled(double factor) {
        return result -> SCORE.applyAsDouble(result) * factor;
    }

    /** A secondary result of the scale benchmark ({@link ScaleProfiler}). */
    private static Metric secondary(String name) {
        return result -> number(path(result, "secondaryMetrics", name, "score"));
    }

    /** Scale: one invocation echoes once on every connection, so round trips/s = invocations/s x N. */
    private static final Metric SWEEP_ROUND_TRIPS = result -> SCORE.applyAsDouble(result)
            * Double.parseDouble(String.valueOf(path(result, "params", "workload")));

    /**
     * Rows (by workload) that Reactor Netty cannot run, and why; the report prints n/a there. Every
     * other row has a Reactor Netty result ({@code --check} fails without one).
     */
    static final Map<String, String> REACTOR_NOT_APPLICABLE = Map.of(
            "QUIC", "reactor-netty-core has no QUIC; QUIC is in the separate, incubating reactor-netty-quic module",
            "QUIC_DATAGRAM", "reactor-netty-core has no QUIC (and so no QUIC DATAGRAM frames)",
            "DTLS", "Reactor Netty has no DTLS",
            "TFO", "Reactor Netty writes only once connected, so no data can ride in the SYN");

    private static List<Row> scaleRows(String connections, String label) {
        return List.of(
                new Row("12 " + label + " idle-then-active TCP connections on one listener: echo, all open", "round trips/s",
                        "Scale", connections, "thrpt", SWEEP_ROUND_TRIPS, true),
                new Row("12   heap per connection (server, after GC)", "bytes", "Scale", connections, "thrpt",
                        secondary("scale.heapPerConnection"), false),
                new Row("12   RSS of the server process, all open", "MiB", "Scale", connections, "thrpt",
                        secondary("scale.rssMiB"), false),
                new Row("12   allocation per echo (server, all threads)", "B/op", "Scale", connections, "thrpt",
                        secondary("scale.allocationPerEcho"), false));
    }

    @SafeVarargs
    private static List<Row> concat(List<Row>... parts) {
        List<Row> all = new ArrayList<>();
        for (List<Row> part : parts) {
            all.addAll(part);
        }
        return List.copyOf(all);
    }

    private static Row candidates(String leaves) {
        return new Row("13 establishment with " + leaves + (leaves.equals("1") ? " candidate" : " candidates, the last answers")
                + " (others refused)", "µs", "Candidates", leaves, "avgt", SCORE, false);
    }

    private static final List<Row> ROWS = concat(List.of(
            new Row("1 bulk TCP, 1 connection, 64 KiB writes", "Gbit/s", "Flows", "BULK", "thrpt",
                    scaled(Flow.Workload.BULK.unitBytes() * 8.0 / GBIT), true),
            new Row("2 TCP 64 B request/response, length prefix, 1 outstanding", "round trips/s", "Flows",
                    "TCP", "thrpt", SCORE, true),
            new Row("2   latency p50", "µs", "Flows", "TCP", "thrpt", latency("p50"), false),
            new Row("2   latency p99", "µs", "Flows", "TCP", "thrpt", latency("p99"), false),
            new Row("3 TCP 64 B request/response, 64 outstanding", "messages/s", "Flows", "PIPELINED", "thrpt", SCORE, true),
            new Row("4 TCP connect + close", "connections/s", "Connect", "TCP", "thrpt", SCORE, true),
            new Row("5 TLS 1.3 64 B request/response, 1 outstanding", "round trips/s", "Flows", "TLS",
                    "thrpt", SCORE, true),
            new Row("5   latency p50", "µs", "Flows", "TLS", "thrpt", latency("p50"), false),
            new Row("5   latency p99", "µs", "Flows", "TLS", "thrpt", latency("p99"), false),
            new Row("5 TLS 1.3 full handshakes (connect + handshake + close)", "handshakes/s", "Connect", "TLS",
                    "thrpt", SCORE, true),
            new Row("6 UDP 64 B request/response, 1 outstanding", "round trips/s", "Flows", "UDP",
                    "thrpt", SCORE, true),
            new Row("6   latency p50", "µs", "Flows", "UDP", "thrpt", latency("p50"), false),
            new Row("6   latency p99", "µs", "Flows", "UDP", "thrpt", latency("p99"), false),
            new Row("7 QUIC 64 B request/response on one stream, length prefix, 1 outstanding", "round trips/s",
                    "Flows", "QUIC", "thrpt", SCORE, true),
            new Row("7   latency p50", "µs", "Flows", "QUIC", "thrpt", latency("p50"), false),
            new Row("7   latency p99", "µs", "Flows", "QUIC", "thrpt", latency("p99"), false),
            new Row("7d QUIC datagram 64 B request/response, 1 outstanding", "round trips/s", "Flows",
                    "QUIC_DATAGRAM", "thrpt", SCORE, true),
            new Row("7d  latency p50", "µs", "Flows", "QUIC_DATAGRAM", "thrpt", latency("p50"), false),
            new Row("7d  latency p99", "µs", "Flows", "QUIC_DATAGRAM", "thrpt", latency("p99"), false),
            new Row("8 allocation per TCP round trip", "B/op", "Flows", "TCP", null, ALLOCATION, false),
            new Row("8 allocation per TLS round trip", "B/op", "Flows", "TLS", null, ALLOCATION, false),
            new Row("8 allocation per UDP round trip", "B/op", "Flows", "UDP", null, ALLOCATION, false),
            new Row("9 TCP connect via SOCKS5 proxy + close (in-process Netty SOCKS5 relay)", "connections/s",
                    "ProxyConnect", "SOCKS5", "thrpt", SCORE, true),
            new Row("10 TCP connect + first message, time to first byte", "µs", "FirstMessage", "TCP", "avgt",
                    SCORE, false),
            new Row("10   same with TCP Fast Open (message in the SYN)", "µs", "FirstMessage", "TFO", "avgt",
                    SCORE, false),
            new Row("11 DTLS 64 B request/response, 1 outstanding", "round trips/s", "DtlsFlows", "DTLS",
                    "thrpt", SCORE, true),
            new Row("11   latency p50", "µs", "DtlsFlows", "DTLS", "thrpt", latency("p50"), false),
            new Row("11   latency p99", "µs", "DtlsFlows", "DTLS", "thrpt", latency("p99"), false),
            new Row("14 bulk TCP through Flow publisher (sendAll, 64 KiB Messages) vs raw Netty bulk", "Gbit/s",
                    "FlowPublisherBulk", null, "thrpt", scaled(Flow.Workload.BULK.unitBytes() * 8.0 / GBIT), true)),
            scaleRows("1000", "1,000"), scaleRows("10000", "10,000"), scaleRows("50000", "50,000"),
            List.of(candidates("1"), candidates("4"), candidates("16"), candidates("64")));

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        String title = null;
        String pinning = null;
        Set<String> notRun = Set.of();
        List<String> notes = new ArrayList<>();
        boolean check = false;
        List<Path> files = new ArrayList<>();
        List<Path> allocationFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--title") && i + 1 < args.length) {
                title = args[++i];
            } else if (args[i].equals("--pinning") && i + 1 < args.length) {
                pinning = args[++i];
            } else if (args[i].equals("--not-run") && i + 1 < args.length) {
                notRun = Set.of(args[++i].split(","));
            } else if (args[i].equals("--note") && i + 1 < args.length) {
                notes.add(args[++i]);
            } else if (args[i].equals("--check")) {
                check = true;
            } else if (args[i].equals("--allocation") && i + 1 < args.length) {
                allocationFiles.add(Path.of(args[++i]));
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: Report [--title TEXT] [--pinning TEXT] [--not-run BENCH:WORKLOAD,...] [--note TEXT]"
                    + " [--check] [--allocation gc-profiled.json] result.json...");
            System.exit(2);
        }
        List<List<Map<String, Object>>> rounds = rounds(files);
        for (Path file : allocationFiles) {
            rounds.add(allocationRun(read(file)));
        }
        System.out.print(render(title, pinning, notRun, rounds));
        notes.forEach(note -> System.out.println("note: " + note));
        List<String> missing = missing(rounds, notRun);
        if (check && !missing.isEmpty()) {
            System.err.println("no result for: " + String.join("; ", missing));
            System.exit(1);
        }
    }

    /** The results of {@code files} by round: numbered rounds first, in order ({@link #roundOf}), then one per other file. */
    static List<List<Map<String, Object>>> rounds(List<Path> files) throws IOException {
        Map<Integer, List<Map<String, Object>>> numbered = new TreeMap<>();
        List<List<Map<String, Object>>> others = new ArrayList<>();
        for (Path file : files) {
            Integer round = roundOf(file);
            if (round == null) {
                others.add(read(file));
            } else {
                numbered.computeIfAbsent(round, r -> new ArrayList<>()).addAll(read(file));
            }
        }
        List<List<Map<String, Object>>> rounds = new ArrayList<>(numbered.values());
        rounds.addAll(others);
        return rounds;
    }

    /** The round a result file belongs to, from run.sh's naming ({@link #ROUND_IN_NAME}), or null for a round of its own. */
    static Integer roundOf(Path file) {
        Matcher matcher = ROUND_IN_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Integer.valueOf(matcher.group(1)) : null;
    }

    /** The cells (row and side) that no result file fills. */
    static List<String> missing(List<List<Map<String, Object>>> rounds) {
        return missing(rounds, Set.of());
    }

    /**
     * The cells (row and side) that no result file fills, leaving out rows the run skipped on purpose:
     * {@code notRun} holds {@code Benchmark:workload} pairs (the smoke run's {@code Scale:50000}, say).
     */
    static List<String> missing(List<List<Map<String, Object>>> rounds, Set<String> notRun) {
        List<String> missing = new ArrayList<>();
        for (Row row : ROWS) {
            if (notRun.contains(row.benchmark() + ":" + row.workload())) {
                continue;
            }
            for (String side : List.of("taps", "netty", "reactor")) {
                if (!(side.equals("reactor") && reactorNotApplicable(row) != null) && median(row, side, rounds) == null) {
                    missing.add(row.figure().trim() + " (" + side + ")");
                }
            }
        }
        return missing;
    }

    /** The JMH results in one JSON file. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Object parsed = new Json(text).value();
        return parsed == null ? List.of() : (List<Map<String, Object>>) parsed;
    }

    /**
     * The results of a run made for the allocation figure (JMH's GC profiler, shorter warm-up):
     * marked so that they count for the allocation rows only, not as one more round of the
     * throughput and latency rows.
     */
    static List<Map<String, Object>> allocationRun(List<Map<String, Object>> results) {
        List<Map<String, Object>> marked = new ArrayList<>();
        for (Map<String, Object> result : results) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>(result);
            copy.put(ALLOCATION_RUN, Boolean.TRUE);
            marked.add(copy);
        }
        return marked;
    }

    /** The header and table for the results of one or more rounds. */
    static String render(String title, List<List<Map<String, Object>>> rounds) {
        return render(title, null, rounds);
    }

    /** The header (with how the run was pinned) and table for the results of one or more rounds. */
    static String render(String title, String pinning, List<List<Map<String, Object>>> rounds) {
        return render(title, pinning, Set.of(), rounds);
    }

    /** As {@link #render(String, String, List)}, with "not run" in the rows {@code notRun} names ({@code Benchmark:workload}). */
    static String render(String title, String pinning, Set<String> notRun, List<List<Map<String, Object>>> rounds) {
        StringBuilder out = new StringBuilder();
        if (title != null) {
            out.append(title).append("\n\n");
        }
        out.append(Environment.describe(rounds.stream().flatMap(List::stream).findFirst().orElse(Map.of()), pinning))
                .append("\n\n");
        out.append("| figure | unit | taps | raw Netty | taps vs raw | Reactor Netty | taps vs Reactor | taps vs raw by round |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        Map<String, String> notApplicable = new LinkedHashMap<>();
        for (Row row : ROWS) {
            if (notRun.contains(row.benchmark() + ":" + row.workload())) {
                out.append("| ").append(row.figure()).append(" | ").append(row.unit())
                        .append(" | not run | not run | - | not run | - | - |\n");
                continue;
            }
            Double taps = median(row, "taps", rounds);
            Double raw = median(row, "netty", rounds);
            String reactorNa = reactorNotApplicable(row);
            Double reactor = reactorNa == null ? median(row, "reactor", rounds) : null;
            List<Double> rawRatios = pairRatios(row, "netty", rounds);
            out.append("| ").append(row.figure()).append(" | ").append(row.unit()).append(" | ")
                    .append(format(taps)).append(" | ").append(format(raw)).append(" | ")
                    .append(formatRatio(median(rawRatios))).append(" | ");
            if (reactorNa != null) {
                out.append("n/a | n/a | ");
                notApplicable.putIfAbsent(row.workload() == null ? row.benchmark() : row.workload(), reactorNa);
            } else {
                out.append(format(reactor)).append(" | ").append(formatRatio(median(pairRatios(row, "reactor", rounds))))
                        .append(" | ");
            }
            out.append(rawRatios.size() > 1 ? byRound(rawRatios) : "-").append(" |\n");
        }
        out.append('\n')
                .append("taps vs raw: taps relative to raw Netty, > 1 means taps is better (rates: taps/raw; ")
                .append("latencies and B/op: raw/taps); taps vs Reactor: the same against Reactor Netty.\n");
        notApplicable.forEach((workload, why) -> out.append("n/a (").append(workload).append("): ").append(why)
                .append(".\n"));
        out.append("")
                .append("Server in figures 1-11: the same raw Netty server (echo or discard) for all clients, ")
                .append("so the client library is what is compared; in 12 the server differs (a taps Listener, a ")
                .append("raw Netty ServerBootstrap, a Reactor Netty TcpServer) and the clients are the same.\n");
        if (rounds.size() > 1) {
            out.append("Each value cell: the median over the rounds that have it. Each ratio: the median of the ")
                    .append("per-round ratios, taps against the other library in the same round (listed in the last ")
                    .append("column), so a slow period on one side of one round does not decide a row.\n");
        }
        return out.toString();
    }

    /** Why Reactor Netty has no result for {@code row}, or null when it has one. */
    private static String reactorNotApplicable(Row row) {
        if (row.benchmark().equals("FlowPublisherBulk")) {
            return "figure 14 measures taps' Flow publisher against figure 1's raw Netty client; Reactor's bulk is in figure 1";
        }
        return row.workload() == null ? null : REACTOR_NOT_APPLICABLE.get(row.workload());
    }

    private static Double median(Row row, String side, List<List<Map<String, Object>>> rounds) {
        List<Double> values = new ArrayList<>();
        for (List<Map<String, Object>> round : rounds) {
            Double value = valueIn(row, side, round);
            if (value != null) {
                values.add(value);
            }
        }
        return median(values);
    }

    /** The row's value for one side in one round, or null when the round has none. */
    private static Double valueIn(Row row, String side, List<Map<String, Object>> round) {
        String name = "io.taps.benchmarks." + row.benchmark() + "." + side;
        for (Map<String, Object> result : round) {
            if (result.containsKey(ALLOCATION_RUN) && row.metric() != ALLOCATION) {
                continue;
            }
            if (name.equals(result.get("benchmark")) && Objects.equals(row.workload(), path(result, "params", "workload"))
                    && (row.mode() == null || row.mode().equals(result.get("mode")))) {
                double value = row.metric().applyAsDouble(result);
                if (!Double.isNaN(value)) {
                    return value;
                }
            }
        }
        return null;
    }

    /**
     * taps against {@code side} in every round that has both, in round order, oriented so that
     * above 1 means taps is better (rates: taps/other; latencies, bytes: other/taps).
     */
    private static List<Double> pairRatios(Row row, String side, List<List<Map<String, Object>>> rounds) {
        List<Double> ratios = new ArrayList<>();
        for (List<Map<String, Object>> round : rounds) {
            Double taps = valueIn(row, "taps", round);
            Double other = valueIn(row, side, round);
            if (taps == null || other == null) {
                continue;
            }
            double numerator = row.higherIsBetter() ? taps : other;
            double denominator = row.higherIsBetter() ? other : taps;
            if (denominator > 0) {
                ratios.add(numerator / denominator);
            }
        }
        return ratios;
    }

    private static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String formatRatio(Double ratio) {
        return ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private static String byRound(List<Double> ratios) {
        StringBuilder out = new StringBuilder();
        for (Double ratio : ratios) {
            out.append(out.length() == 0 ? "" : " / ").append(formatRatio(ratio));
        }
        return out.toString();
    }

    static String format(Double value) {
        if (value == null) {
            return "-";
        }
        double v = value;
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The value at a path of object keys, or null. */
    @SuppressWarnings("unchecked")
    static Object path(Map<String, Object> object, String... keys) {
        Object current = object;
        for (String key : keys) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    /** A JSON number as a double; JMH writes NaN and infinities as strings. Absent is NaN. */
    static double number(Object value) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof String) {
            try {
                return Double.parseDouble((String) value);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
