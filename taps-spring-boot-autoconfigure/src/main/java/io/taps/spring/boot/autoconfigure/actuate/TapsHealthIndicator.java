package io.taps.spring.boot.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP when every declared, running taps Listener is bound (RFC 9622 §7.2); DOWN, with each
 * listener's state and error as details, when one is still binding or failed to bind.
 */
public class TapsHealthIndicator extends AbstractHealthIndicator {
    private final ListenerDirectory directory;

    public TapsHealthIndicator(ListenerDirectory directory) {
        super("taps health check failed");
        this.directory = directory;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean allBound = true;
        Map<String, Object> listeners = new LinkedHashMap<>();
        for (ListenerDirectory.DeclaredListener declared : directory.declaredListeners()) {
            String state = ListenerStates.stateOf(declared);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", state);
            if (state.equals(ListenerStates.BOUND) && declared.listener() != null) {
                detail.put("port", declared.listener().port());
            }
            String error = ListenerStates.errorOf(declared);
            if (error != null) {
                detail.put("error", error);
            }
            listeners.put(declared.id(), detail);
            if (declared.running() && !state.equals(ListenerStates.BOUND)) {
                allBound = false;
            }
        }
        (allBound ? builder.up() : builder.down()).withDetail("listeners", listeners);
    }
}
