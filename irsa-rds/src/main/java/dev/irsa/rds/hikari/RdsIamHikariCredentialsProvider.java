package dev.irsa.rds.hikari;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.rds.internal.ApplicationRds;
import java.util.function.Supplier;

/**
 * RDS IAM authentication for a HikariCP pool configured only by properties: name this class in HikariCP's
 * {@code credentialsProviderClassName} ({@code hikari.properties}, {@code HikariConfig(Properties)}, or
 * {@code spring.datasource.hikari.credentials-provider-class-name}), and each new physical connection logs in with
 * the database user and a valid token, as with {@link RdsIamHikariCredentials}.
 *
 * <p>HikariCP creates it with its no-argument constructor, at the moment the property is set, and shows it neither
 * the pool's {@code jdbcUrl} nor its {@code username}; so what to sign for is read from settings:
 * <ul>
 *   <li>{@code irsa.rds.host} / {@code IRSA_RDS_HOST}: the database endpoint's host (required);</li>
 *   <li>{@code irsa.rds.port} / {@code IRSA_RDS_PORT}: its port (required);</li>
 *   <li>{@code irsa.rds.user} / {@code IRSA_RDS_USER}: the database user, which the pool logs in as (required);</li>
 *   <li>{@code irsa.rds.region} / {@code IRSA_RDS_REGION}: the region, by default taken from the RDS host name.</li>
 * </ul>
 * A missing or malformed one fails when HikariCP creates this (HikariCP wraps the exception, which names it), or,
 * in an application, at start-up (see below).
 *
 * <p>Where the settings and the credentials come from is decided once:
 * <ul>
 *   <li>In a Spring Boot application with irsa-rds (from {@code spring.datasource.hikari.credentials-provider-class-name},
 *       or any pool that is a bean of the context), by the application context that owns the pool, before the pool is
 *       initialized: the settings are that application's ({@code application.properties}, profiles, and the system
 *       properties and environment Spring reads), and tokens are signed with its credentials provider bean (the one
 *       {@code irsa-spring-starter} defines from {@code irsa.*}), chosen as irsa-rds's and irsa-kafka's
 *       auto-configurations choose it: one principal, one session. The token source is the application's
 *       ({@code irsa.rds.enabled=true} defines one) or one shared by every such pool, closed with the context. Several
 *       contexts in one JVM (a test's context cache) each bind their own pools. Such a pool signs for
 *       {@code irsa.rds.host / port}, which describe one data source: a second data source of the context taking them
 *       too fails start-up (see {@code dev.irsa.rds.spring.IrsaRdsAutoConfiguration}). A missing setting fails
 *       start-up then, not when HikariCP creates this.</li>
 *   <li>In a pool created by name outside the context's beans while one such context lives, when it is first used:
 *       that context's, as above; with several alive, which one is ambiguous and the first connection fails saying
 *       so.</li>
 *   <li>Otherwise, when HikariCP creates it, from Java system properties or else environment variables, and credentials from
 *       {@link dev.irsa.sdk.IrsaCredentialsProvider#create()} (IRSA or EKS Pod Identity, from the same system
 *       properties and environment), whose session is shared: however many pools name this class, the process has one
 *       session per role, refreshed in the background. The session lives as long as the process (HikariCP never
 *       closes a credentials provider).</li>
 * </ul>
 *
 * @since 0.1.0
 */
public final class RdsIamHikariCredentialsProvider implements HikariCredentialsProvider {
    private static final String SYSTEM = "Java system properties (irsa.rds.*) or the environment (IRSA_RDS_*)";

    static {
        ApplicationRds.binder((p, application) -> ((RdsIamHikariCredentialsProvider) p).bind(application));
    }

    /** What it signs for and with, decided once: null until then (while an application is to bind it). */
    private volatile RdsIamHikariCredentials delegate;
    /** The application it was bound to, or null (the process's settings, or not yet decided). */
    private ApplicationRds.Binding boundTo;

    /** Created by HikariCP from {@code credentialsProviderClassName}; reads the settings above. */
    public RdsIamHikariCredentialsProvider() {
        if (!ApplicationRds.any()) {
            this.delegate = create(SettingsSource.system(), RdsAuthTokens::create, SYSTEM);
        }
        // else the application that owns the pool binds it (its post-processor), or it is decided when first used
    }

    RdsIamHikariCredentialsProvider(SettingsSource settings) {
        this.delegate = create(settings, RdsAuthTokens::create, SYSTEM);
    }

    /** Binds this to {@code application}, unless decided already: then only if it is the same application. */
    private synchronized RdsEndpoint bind(ApplicationRds.Binding application) {
        if (delegate == null) {
            delegate = create(application.settings(), application.tokens(), application.where());
            boundTo = application;
        } else if (boundTo != application) {
            throw new IllegalStateException(this + " already signs for " + (boundTo == null ? SYSTEM
                    : "another application context's settings") + ": it was created or first used before this context"
                    + " could bind it to its own settings and credentials. Make its pool an unstarted HikariDataSource"
                    + " bean of the context.");
        }
        return delegate.endpoint();
    }

    /** What it signs for and with: decided now if no application has bound it. */
    private RdsIamHikariCredentials decided() {
        RdsIamHikariCredentials d = delegate;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (delegate == null) {
                ApplicationRds.Binding application = ApplicationRds.only(getClass().getSimpleName()).orElse(null);
                if (application != null) {
                    bind(application);
                } else {
                    delegate = create(SettingsSource.system(), RdsAuthTokens::create, SYSTEM);
                }
            }
            return delegate;
        }
    }

    private static RdsIamHikariCredentials create(SettingsSource settings, Supplier<RdsAuthTokens> tokens, String where) {
        String host = required(settings, "irsa.rds.host", "IRSA_RDS_HOST", where);
        String port = required(settings, "irsa.rds.port", "IRSA_RDS_PORT", where);
        String user = required(settings, "irsa.rds.user", "IRSA_RDS_USER", where);
        String region = settings.first("irsa.rds.region", "IRSA_RDS_REGION").orElse(null);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("irsa.rds.port (or IRSA_RDS_PORT) must be the database's port, a number;"
                    + " got '" + port + "'.");
        }
        RdsEndpoint endpoint;
        try {
            endpoint = RdsEndpoint.of(host, p, user, region);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + " (settings irsa.rds.host / port / user / region, or"
                    + " IRSA_RDS_HOST / _PORT / _USER / _REGION)", e);
        }
        // Outside a framework, a token source of its own (a small cache) over the process's shared session.
        return new RdsIamHikariCredentials(tokens.get(), endpoint);
    }

    private static String required(SettingsSource settings, String property, String variable, String where) {
        return settings.first(property, variable).orElseThrow(() -> new IllegalStateException(property + " (or "
                + variable + ") is not set in " + where + ": HikariCP creates "
                + RdsIamHikariCredentialsProvider.class.getSimpleName() + " by class name and shows it neither the"
                + " pool's jdbcUrl nor its username, so set irsa.rds.host, irsa.rds.port and irsa.rds.user (and"
                + " irsa.rds.region for a host name that is no RDS endpoint) there: system properties or IRSA_RDS_HOST,"
                + " IRSA_RDS_PORT, IRSA_RDS_USER (IRSA_RDS_REGION) in the environment, or, in a Spring Boot"
                + " application, its properties."));
    }

    /** {@return the endpoint the tokens are signed for} */
    public RdsEndpoint endpoint() {
        return decided().endpoint();
    }

    /**
     * The database user and a valid token as its password.
     *
     * @return the credentials for a new physical connection
     * @throws dev.irsa.rds.RdsAuthTokenException when no AWS credentials can be had
     */
    @Override
    public Credentials getCredentials() {
        return decided().getCredentials();
    }

    @Override
    public String toString() {
        RdsIamHikariCredentials d = delegate;
        return "RdsIamHikariCredentialsProvider[" + (d == null ? "not yet bound" : d.endpoint()) + "]";
    }
}
