package dev.irsa.quarkus.internal;

import dev.irsa.core.SessionState;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.rds.RdsAuthTokenException;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.credentials.CredentialsProvider;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Qualifier;
import jakarta.inject.Singleton;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Quarkus Credentials Provider {@code irsa-rds}: the database user and, as its password, an RDS IAM auth token
 * signed with the {@code irsa} bean's session, from irsa-rds's token cache ({@link RdsAuthTokens}: a token is reused
 * while safely valid, so a new connection costs a cache lookup). Selected by name only, never as the application's
 * default credentials provider (which may be Vault's): {@code quarkus.datasource.credentials-provider-name=irsa-rds}.
 * The data source's {@code credentials-provider} picks the database: {@code irsa-rds} the one of
 * {@code quarkus.irsa.rds.*}, another name the one of {@code quarkus.irsa.rds."<name>".*}.
 */
@Singleton
@Named(IrsaRdsCredentials.NAME)
@IrsaRdsCredentials.ByName
public class IrsaRdsCredentials implements CredentialsProvider {
    /** The bean's name and the credentials-provider name of {@code quarkus.irsa.rds.*}. */
    public static final String NAME = IrsaRuntimeConfig.RDS_DEFAULT;
    /** The token cache, or null when the {@code irsa} bean is inactive ({@code quarkus.irsa.active=false}). */
    private final RdsAuthTokens tokens;
    /** The {@code irsa} bean, or null when inactive: its state says why no token could be had. */
    private final IrsaCredentialsProvider session;
    private final IrsaRuntimeConfig config;
    private final Map<String, RdsEndpoint> endpoints = new ConcurrentHashMap<>();

    IrsaRdsCredentials(InjectableInstance<IrsaCredentialsProvider> irsa, IrsaRuntimeConfig config) {
        // an inactive bean may not be injected as such (the start would fail): asked for only when active
        this.session = irsa.getHandle().getBean().isActive() ? irsa.get() : null;
        this.tokens = session != null
                ? RdsAuthTokens.builder().credentialsProvider(session).build() // not closed by the tokens
                : null;
        this.config = config;
    }

    /**
     * The qualifier that keeps this bean out of unnamed {@code CredentialsProvider} lookups (a bean with only
     * {@code @Named} is also {@code @Default}): it is found by its name.
     */
    @Qualifier
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    public @interface ByName {
    }

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        RdsAuthTokens active = requireActive();
        RdsEndpoint e = endpoint(credentialsProviderName);
        return credentials(e, active.token(e));
    }

    /**
     * Never blocks the caller: a token held for the database is answered during the subscription, on the caller's
     * thread (the reactive clients' event loop); otherwise it is signed, after waiting for the session's credentials
     * if none are held, on irsa-rds's own token threads ({@link RdsAuthTokens#tokenAsync}), not on a Quarkus worker
     * that a busy pool would make the new connection wait for. Failures are a failed {@link Uni}, never a throw.
     *
     * <p>Each call fails after {@code quarkus.irsa.refresh.wait-timeout} at the latest: those threads are two, and
     * during an STS outage each waits that long for credentials, so a call queued behind others would otherwise wait
     * for theirs too (neither pool cancels, and Agroal waits indefinitely). A call given up is taken off the queue.
     */
    @Override
    public Uni<Map<String, String>> getCredentialsAsync(String credentialsProviderName) {
        return Uni.createFrom().deferred(() -> {
            RdsAuthTokens active = requireActive();
            RdsEndpoint e = endpoint(credentialsProviderName);
            CompletableFuture<String> token = active.tokenAsync(e);
            if (token.isDone()) {
                return Uni.createFrom().completionStage(token).map(t -> credentials(e, t));
            }
            Duration wait = config.refresh().waitTimeout();
            return Uni.createFrom().<String>emitter(em -> {
                em.onTermination(() -> token.cancel(false)); // given up: a task still queued then does nothing
                // listened to before the timer is scheduled: a token signed meanwhile is not held up by it
                token.whenComplete((t, failure) -> {
                    if (failure == null) {
                        em.complete(t);
                    } else {
                        em.fail(failure);
                    }
                });
                if (!token.isDone()) {
                    ScheduledFuture<?> timer = Infrastructure.getDefaultWorkerPool().schedule(
                            () -> token.completeExceptionally(timedOut(e, wait)), wait.toMillis(), TimeUnit.MILLISECONDS);
                    token.whenComplete((t, failure) -> timer.cancel(false));
                }
            }).map(t -> credentials(e, t));
        });
    }

    private RdsAuthTokenException timedOut(RdsEndpoint e, Duration wait) {
        SessionState state = session.state().orElse(null);
        String why = state != null && state.lastError() != null
                ? "the session cannot get credentials (" + state.consecutiveFailures() + " failed refresh(es) in a row;"
                        + " last error: " + state.lastError() + ")"
                : "no credentials from STS / the Pod Identity agent yet (no answer within the wait)";
        return new RdsAuthTokenException("No RDS IAM authentication token for " + e
                + " within quarkus.irsa.refresh.wait-timeout (" + wait + "): " + why, state);
    }

    private RdsAuthTokens requireActive() {
        if (tokens == null) {
            throw new IllegalStateException("The irsa-rds credentials provider cannot sign tokens: "
                    + IrsaRecorder.INACTIVE);
        }
        return tokens;
    }

    private static Map<String, String> credentials(RdsEndpoint e, String token) {
        return Map.of(USER_PROPERTY_NAME, e.user(), PASSWORD_PROPERTY_NAME, token);
    }

    private RdsEndpoint endpoint(String credentialsProviderName) {
        String name = credentialsProviderName == null ? NAME : credentialsProviderName;
        return endpoints.computeIfAbsent(name, n -> resolve(config, n));
    }

    /** The database of {@code quarkus.irsa.rds.*} (the unnamed one). */
    static RdsEndpoint resolve(IrsaRuntimeConfig config) {
        return resolve(config, NAME);
    }

    /**
     * {@code quarkus.irsa.rds.*} ({@code name} {@value #NAME}) or {@code quarkus.irsa.rds."<name>".*}: the region
     * given, else the RDS host's, else the application's.
     */
    static RdsEndpoint resolve(IrsaRuntimeConfig config, String name) {
        boolean unnamed = NAME.equals(name);
        String prefix = unnamed ? "quarkus.irsa.rds." : "quarkus.irsa.rds.\"" + name + "\".";
        IrsaRuntimeConfig.Rds rds = config.rds().get(name);
        if (rds == null || rds.host().isEmpty() || rds.user().isEmpty()) {
            Set<String> known = new TreeSet<>();
            config.rds().forEach((k, v) -> {
                if (v.host().isPresent()) {
                    known.add(k);
                }
            });
            throw new IllegalStateException("The irsa-rds credentials provider was asked for the database of"
                    + " credentials-provider '" + name + "' and needs its host and user: set " + prefix + "host and "
                    + prefix + "user (and " + prefix + "port unless 5432)"
                    + (known.isEmpty() ? "" : "; databases configured: " + known
                            + " (a data source's credentials-provider names one, irsa-rds is quarkus.irsa.rds.*)"));
        }
        String host = rds.host().get();
        String user = rds.user().get();
        if (rds.region().isPresent()) {
            return RdsEndpoint.of(host, rds.port(), user, rds.region().get());
        }
        try {
            return RdsEndpoint.of(host, rds.port(), user);
        } catch (IllegalArgumentException notAnRdsHost) {
            Optional<String> region = config.region()
                    .or(() -> ConfigSettings.INSTANCE.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION"));
            if (region.isEmpty()) {
                throw new IllegalStateException("No region for the database " + host + ": its name is not an RDS"
                        + " endpoint's; set " + prefix + "region (or quarkus.irsa.region, AWS_REGION)",
                        notAnRdsHost);
            }
            return RdsEndpoint.of(host, rds.port(), user, region.get());
        }
    }

    /**
     * Ends the token threads. Public: in dev and test mode, an application's decorator or interceptor on this bean
     * has ArC generate its bean class in the application's class loader, which cannot call a package-private method
     * of a class in the extension's.
     */
    @PreDestroy
    public void close() {
        if (tokens != null) {
            tokens.close();
        }
    }
}
