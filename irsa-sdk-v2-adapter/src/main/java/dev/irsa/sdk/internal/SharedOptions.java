package dev.irsa.sdk.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.AttemptTimeouts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@code IrsaCredentialsProvider.Builder} that IRSA and EKS Pod Identity share (refresh policy,
 * listeners, eager start, timeouts, clock, settings): each set once, validated as the configurations' builders
 * validate it, and applied to whichever source's builder is chosen at build; unset ones leave that builder's default.
 * Not thread-safe.
 */
public final class SharedOptions {
    private RefreshPolicy refreshPolicy;
    private List<RefreshListener> listeners = new ArrayList<>();
    private boolean eager;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration attemptTimeout;
    private Clock clock;
    private SettingsSource settings = SettingsSource.system();

    /** {@return a copy: later changes to either do not reach the other} */
    public SharedOptions copy() {
        SharedOptions c = new SharedOptions();
        c.refreshPolicy = refreshPolicy;
        c.listeners = new ArrayList<>(listeners);
        c.eager = eager;
        c.connectTimeout = connectTimeout;
        c.readTimeout = readTimeout;
        c.attemptTimeout = attemptTimeout;
        c.clock = clock;
        c.settings = settings;
        return c;
    }

    /** @param policy the refresh policy, not null */
    public void refreshPolicy(RefreshPolicy policy) {
        this.refreshPolicy = Objects.requireNonNull(policy, "refreshPolicy");
    }

    /** @param listener a listener to add, not null */
    public void addListener(RefreshListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param eager whether to fetch credentials at build */
    public void eager(boolean eager) {
        this.eager = eager;
    }

    /** {@return whether credentials are fetched at build} */
    public boolean eager() {
        return eager;
    }

    /**
     * @param connect the connect timeout, not null
     * @param read the read timeout, not null
     */
    public void timeouts(Duration connect, Duration read) {
        this.connectTimeout = Objects.requireNonNull(connect, "connect");
        this.readTimeout = Objects.requireNonNull(read, "read");
    }

    /** @param attemptTimeout the deadline of one call, positive and at most 5 minutes */
    public void attemptTimeout(Duration attemptTimeout) {
        this.attemptTimeout = AttemptTimeouts.validate(attemptTimeout);
    }

    /** @param clock the clock, not null */
    public void clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @param settings where environment variables and system properties are read from, not null */
    public void settings(SettingsSource settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** {@return where environment variables and system properties are read from} */
    public SettingsSource settings() {
        return settings;
    }

    /**
     * @param b an IRSA configuration builder
     * @return {@code b}, with these options set
     */
    public IrsaConfig.Builder applyTo(IrsaConfig.Builder b) {
        listeners.forEach(b::addListener);
        b.eagerStart(eager).settings(settings);
        if (refreshPolicy != null) {
            b.refreshPolicy(refreshPolicy);
        }
        if (connectTimeout != null) {
            b.timeouts(connectTimeout, readTimeout);
        }
        if (attemptTimeout != null) {
            b.attemptTimeout(attemptTimeout);
        }
        if (clock != null) {
            b.clock(clock);
        }
        return b;
    }

    /**
     * @param b a Pod Identity configuration builder
     * @return {@code b}, with these options set
     */
    public PodIdentityConfig.Builder applyTo(PodIdentityConfig.Builder b) {
        listeners.forEach(b::addListener);
        b.eagerStart(eager).settings(settings);
        if (refreshPolicy != null) {
            b.refreshPolicy(refreshPolicy);
        }
        if (connectTimeout != null) {
            b.timeouts(connectTimeout, readTimeout);
        }
        if (attemptTimeout != null) {
            b.attemptTimeout(attemptTimeout);
        }
        if (clock != null) {
            b.clock(clock);
        }
        return b;
    }
}
