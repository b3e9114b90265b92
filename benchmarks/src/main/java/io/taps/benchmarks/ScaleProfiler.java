package io.taps.benchmarks;

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
 * after GC, less the same before any connection, divided by N) and {@code scale.rssMiB} (the
 * server's resident set). Run with {@code -prof io.taps.benchmarks.ScaleProfiler}; other benchmarks
 * get nothing.
 */
public final class ScaleProfiler implements InternalProfiler {

    @Override
    public String getDescription() {
        return "heap per connection and RSS of the scale benchmark's server process";
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
        return List.of(
                new ScalarResult("scale.heapPerConnection", stats.heapPerConnection(), "bytes", AggregationPolicy.AVG),
                new ScalarResult("scale.rssMiB", stats.rssKib() / 1024.0, "MiB", AggregationPolicy.AVG));
    }
}
