package io.taps.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Adds the scale benchmark's server figures to each iteration's results, measured in the server
 * process right after the iteration's traffic: {@code scale.heapPerConnection} (heap bytes in use
 * after GC, less the same before any connection, divided by N), {@code scale.rssMiB} (the
 * server's resident set) and {@code scale.allocationPerEcho} (heap bytes the server's threads
 * allocated during the iteration, divided by the echoes it sent back: what drives how large a young
 * generation the server's collector keeps, and so most of the difference in RSS). Run with
 * {@code -prof io.taps.benchmarks.ScaleProfiler}; other benchmarks get nothing.
 */
public final class ScaleProfiler implements InternalProfiler {

    @Override
    public String getDescription() {
        return "heap per connection, RSS and allocation per echo of the scale benchmark's server process";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        ScaleClients.ServerStats stats = ScaleClients.takeLastStats();
        if (stats == null) {
            return List.of();
        }
        List<Result> results = new ArrayList<>(List.of(
                new ScalarResult("scale.heapPerConnection", stats.heapPerConnection(), "bytes", AggregationPolicy.AVG),
                new ScalarResult("scale.rssMiB", stats.rssKib() / 1024.0, "MiB", AggregationPolicy.AVG)));
        if (!Double.isNaN(stats.allocationPerEcho())) {
            results.add(new ScalarResult("scale.allocationPerEcho", stats.allocationPerEcho(), "B/op",
                    AggregationPolicy.AVG));
        }
        return results;
    }
}
