package io.taps.internal.resolve;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one HTTPS record query (RFC 9460 §9): the best usable ServiceMode binding, if any,
 * and why other records were passed over.
 *
 * @param queriedName the name asked ({@code _PORT._https.NAME} for a port other than 443, RFC 9460 §9.1)
 * @param binding the usable record with the lowest SvcPriority, or null
 * @param answers how many HTTPS records the answer held
 * @param skipped why records were not used (AliasMode, another target, an unknown mandatory key, bad RDATA)
 */
public record ServiceLookup(String queriedName, ServiceBinding binding, int answers, List<String> skipped) {
    /** Copies the list. */
    public ServiceLookup {
        skipped = List.copyOf(skipped);
    }

    /** No record: the name has none, or the query failed. */
    static ServiceLookup none(String queriedName) {
        return new ServiceLookup(queriedName, null, 0, List.of());
    }

    /** The usable binding, if any. */
    public Optional<ServiceBinding> usable() {
        return Optional.ofNullable(binding);
    }
}
