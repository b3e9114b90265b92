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
 * Adds the round-trip time percentiles of each iteration ({@code rtt.p50}, {@code rtt.p99}, in µs)
 * to the JMH results, from {@link Latency#ROUND_TRIPS}. Run with
 * {@code -prof io.taps.benchmarks.LatencyProfiler}; benchmarks that record no round trips get
 * nothing.
 */
public final class LatencyProfiler implements InternalProfiler {

    @Override
    public String getDescription() {
        return "round-trip time percentiles recorded by the taps benchmark flows";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        Latency.ROUND_TRIPS.reset();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        Latency rtt = Latency.ROUND_TRIPS;
        if (rtt.count() == 0) {
            return List.of();
        }
        return List.of(
                new ScalarResult("rtt.p50", rtt.percentile(0.50) / 1000.0, "us", AggregationPolicy.AVG),
                new ScalarResult("rtt.p99", rtt.percentile(0.99) / 1000.0, "us", AggregationPolicy.AVG));
    }
}
