package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.spring.framer.TapsFramers;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import io.taps.spring.listener.TapsListenerStartedEvent;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationListener;

/**
 * Applies reloaded Spring Boot SSL bundles ({@code spring.ssl.bundle.*.<name>.reload-on-update:
 * true}) to taps (RFC 9622 §6.3 Security Parameters, §7.2 Listener): when Boot reloads a bundle
 * that a {@code taps.profiles.*.security.ssl-bundle} names, the profiles are resolved again with
 * it, and every profile whose Security Parameters changed takes the new ones. Preconnections built
 * from such a profile afterwards use them, and every running {@code @TapsListener} of the profile
 * gets them through {@link io.taps.Listener#updateSecurity}: new Connections see the new
 * certificate, Connections already open keep theirs. One INFO line is logged per listener.
 *
 * <p>A bundle that taps cannot use (a key that does not match its certificate, say) changes
 * nothing: the listeners keep serving the certificate they have, and a warning says why.
 */
public final class TapsSslBundleReloader implements InitializingBean, ApplicationListener<TapsListenerStartedEvent> {
    private static final Log logger = LogFactory.getLog(TapsSslBundleReloader.class);

    private final SslBundles sslBundles;
    private final TapsProfiles profiles;
    private final TapsListenerRegistry registry;
    private final TransportServices transportServices;
    private final TapsProperties properties;
    private final TapsFramers framers;
    /** Whether a reload changed some profile's Security Parameters; written before listeners are updated. */
    private volatile boolean reloadedOnce;

    public TapsSslBundleReloader(SslBundles sslBundles, TapsProfiles profiles, TapsListenerRegistry registry,
            TransportServices transportServices, TapsProperties properties, TapsFramers framers) {
        this.sslBundles = sslBundles;
        this.profiles = profiles;
        this.registry = registry;
        this.transportServices = transportServices;
        this.properties = properties;
        this.framers = framers;
    }

    /** Registers an update handler for every SSL bundle a taps profile names. */
    @Override
    public void afterPropertiesSet() {
        for (String bundle : bundleNames()) {
            try {
                this.sslBundles.addBundleUpdateHandler(bundle, updated -> reloaded(bundle));
            }
            catch (NoSuchSslBundleException ex) {
                // TapsProfiles already failed start-up for a bundle that does not exist.
                logger.debug("SSL bundle '" + bundle + "' is not registered; its reloads cannot be followed", ex);
            }
        }
    }

    /** The SSL bundles named by {@code taps.profiles.*.security.ssl-bundle}, sorted. */
    Set<String> bundleNames() {
        Set<String> names = new TreeSet<>();
        for (TapsProperties.Profile profile : this.properties.getProfiles().values()) {
            String bundle = profile.getSecurity().getSslBundle();
            if (bundle != null) {
                names.add(bundle);
            }
        }
        return names;
    }

    /**
     * Boot reloaded {@code bundle} (on its file watcher thread, never a taps event loop: building
     * the TLS contexts here is fine).
     */
    synchronized void reloaded(String bundle) {
        Map<String, SecurityParameters> changed;
        try {
            changed = this.profiles.takeSecurity(
                    new TapsProfiles(this.transportServices, this.properties, this.framers, this.sslBundles));
        }
        catch (TransportServicesException ex) {
            // A configuration verdict (a key that does not match its certificate): the message says it all.
            logger.warn("SSL bundle '" + bundle + "' was reloaded but taps cannot use it; taps listeners keep their"
                    + " current certificates: " + ex.getMessage());
            return;
        }
        catch (RuntimeException ex) {
            logger.warn("SSL bundle '" + bundle + "' was reloaded but taps cannot use it; taps listeners keep their"
                    + " current certificates: " + ex, ex);
            return;
        }
        if (changed.isEmpty()) {
            logger.debug("SSL bundle '" + bundle + "' was reloaded; no taps profile's Security Parameters changed");
            return;
        }
        this.reloadedOnce = true;
        for (RunningTapsListener running : this.registry.listeners()) {
            String profile = this.profiles.get(running.profile()).name();
            SecurityParameters security = changed.get(profile);
            if (security != null) {
                update(running, profile, bundle, security);
            }
        }
    }

    /**
     * A listener that started while a reload was applied may have read its profile just before the
     * profile took the new parameters, and joined the running listeners just after they were
     * updated: it gets its profile's current parameters now (the same ones again, usually).
     */
    @Override
    public void onApplicationEvent(TapsListenerStartedEvent event) {
        if (!this.reloadedOnce) {
            return;
        }
        RunningTapsListener running = event.getListener();
        SecurityParameters current = this.profiles.get(running.profile()).securityParameters();
        running.listener().updateSecurity(current).whenComplete((done, failure) -> {
            if (failure != null) {
                logger.warn("taps listener '" + running.id() + "' started during an SSL bundle reload and cannot take"
                        + " its profile's current Security Parameters: " + failure.getMessage());
            }
        });
    }

    private static void update(RunningTapsListener running, String profile, String bundle,
            SecurityParameters security) {
        running.listener().updateSecurity(security).whenComplete((done, failure) -> {
            if (failure == null) {
                logger.info("taps listener '" + running.id() + "' (profile " + profile + ") took the reloaded SSL"
                        + " bundle '" + bundle + "'" + certificate(security) + ": new connections use it, open"
                        + " connections keep theirs");
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof TransportServicesException refused && refused.reason() == ErrorReason.LISTEN_FAILED) {
                logger.debug("taps listener '" + running.id() + "' is stopping; reloaded SSL bundle '" + bundle
                        + "' not applied: " + cause.getMessage());
                return;
            }
            logger.warn("taps listener '" + running.id() + "' (profile " + profile + ") cannot use the reloaded SSL"
                    + " bundle '" + bundle + "' and keeps its current certificate: " + cause.getMessage(), cause);
        });
    }

    private static String certificate(SecurityParameters security) {
        if (security.identities().isEmpty()) {
            return "";
        }
        Identity identity = security.identities().get(0);
        X509Certificate leaf = identity.certificate();
        return " (certificate " + leaf.getSubjectX500Principal().getName() + ", serial "
                + leaf.getSerialNumber().toString(16) + ")";
    }
}
