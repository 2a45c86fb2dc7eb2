package dev.irsa.sdk;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * IRSA credentials for the AWS SDK for Java v2: {@code S3Client.builder().credentialsProvider(IrsaCredentialsProvider.create())}.
 *
 * <p>Returns {@link AwsSessionCredentials} with their expiration time and provider name. Thread-safe. With
 * cached credentials, {@link #resolveCredentials()} neither blocks nor allocates, and
 * {@link #resolveIdentity(ResolveIdentityRequest)} returns an already-completed future, so async clients never
 * run an STS call on an event-loop thread. Providers built with the same configuration share one session
 * (one STS call per refresh per role per process). {@link #close()} releases this provider's hold on it.
 *
 * <p>Chain-friendly: when the IRSA variables are absent, {@link #create()} does not throw;
 * {@link #resolveCredentials()} throws an {@link SdkClientException} naming the missing variables, so an
 * {@link AwsCredentialsProviderChain} moves on to its next provider.
 */
public final class IrsaCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    static final String PROVIDER_NAME = "IrsaCredentialsProvider";
    private static final String STS_CLASS = "software.amazon.awssdk.services.sts.StsClient";

    private final Builder builder;
    private final IrsaSession session;
    private final SdkClientException unavailable;
    /**
     * The last conversion. Deliberately not volatile: {@link Converted} is immutable (final fields, safely published),
     * and a stale read only costs one more conversion, while a volatile read would sit on every call.
     */
    private Converted last = Converted.NONE;

    /** The SDK view of one set of credentials, converted once per refresh and reused by every call. */
    private record Converted(IrsaCredentials source, AwsSessionCredentials sdk,
                             CompletableFuture<AwsCredentialsIdentity> future) {
        static final Converted NONE = new Converted(null, null, null);
    }

    private IrsaCredentialsProvider(Builder b, IrsaSession session, SdkClientException unavailable) {
        this.builder = b;
        this.session = session;
        this.unavailable = unavailable;
    }

    /** From the environment and system properties the SDK reads ({@code AWS_ROLE_ARN}, ...); never throws. */
    public static IrsaCredentialsProvider create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * IRSA when configured, otherwise the SDK's {@link DefaultCredentialsProvider} (profiles, environment keys, SSO,
     * container and instance credentials): one provider for pods and laptops alike.
     */
    public static AwsCredentialsProvider withDefaultFallback() {
        return AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(create(), DefaultCredentialsProvider.builder().build())
                .build();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        if (session == null) {
            throw unavailable;
        }
        IrsaCredentials c;
        try {
            c = session.credentials();
        } catch (IrsaException e) {
            throw SdkClientException.builder().message(e.getMessage()).cause(e).build();
        }
        Converted cv = last;
        if (cv.source == c) {
            return cv.sdk;
        }
        return convert(c).sdk;
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        if (session == null) {
            return CompletableFuture.failedFuture(unavailable);
        }
        CompletableFuture<IrsaCredentials> f = session.credentialsAsync();
        if (f.isDone() && !f.isCompletedExceptionally()) {
            IrsaCredentials c = f.join();
            Converted cv = last;
            return cv.source == c ? cv.future : convert(c).future;
        }
        return f.handle((c, e) -> {
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                throw SdkClientException.builder().message(cause.getMessage()).cause(cause).build();
            }
            return convert(c).sdk;
        });
    }

    private Converted convert(IrsaCredentials c) {
        AwsSessionCredentials.Builder b = AwsSessionCredentials.builder().accessKeyId(c.accessKeyId())
                .secretAccessKey(c.secretAccessKey()).sessionToken(c.sessionToken()).expirationTime(c.expiration())
                .providerName(PROVIDER_NAME);
        String account = accountOf(c.assumedRoleArn());
        if (account != null) {
            b.accountId(account);
        }
        AwsSessionCredentials sdk = b.build();
        Converted cv = new Converted(c, sdk, CompletableFuture.completedFuture(sdk));
        last = cv;
        return cv;
    }

    private static String accountOf(String assumedRoleArn) {
        if (assumedRoleArn == null) {
            return null;
        }
        String[] p = assumedRoleArn.split(":");
        return p.length > 4 && p[4].matches("\\d{12}") ? p[4] : null;
    }

    /** The session's state (expiry, last error...) for health checks; empty when IRSA is not configured. */
    public java.util.Optional<SessionState> state() {
        return session == null ? java.util.Optional.empty() : java.util.Optional.of(session.state());
    }

    /** Why this provider cannot supply credentials, when it cannot (IRSA not configured, sts module missing). */
    public java.util.Optional<String> unavailableReason() {
        return unavailable == null ? java.util.Optional.empty() : java.util.Optional.of(unavailable.getMessage());
    }

    /**
     * A provider for another role assumed from this one with {@code sts:AssumeRole} (role chaining, e.g. into
     * another account), refreshed on its own schedule. Close it before this provider.
     */
    public IrsaCredentialsProvider assumeRole(ChainedRoleConfig target) {
        if (session == null) {
            throw unavailable;
        }
        return new IrsaCredentialsProvider(builder, session.assumeRole(target), null);
    }

    public Builder toBuilder() {
        return builder.copy();
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }

    @Override
    public String toString() {
        return PROVIDER_NAME + "[" + (session != null ? session.config().roleArn() + ", " + session.state().status()
                : "unavailable: " + unavailable.getMessage()) + "]";
    }

    /** Configures an {@link IrsaCredentialsProvider}; exposes every {@link IrsaConfig} option. Not thread-safe. */
    public static final class Builder {
        private IrsaConfig.Builder config = IrsaConfig.builder();
        private boolean shared = true;
        private boolean eager;

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.config = config.copy();
            b.shared = shared;
            b.eager = eager;
            return b;
        }

        public Builder roleArn(String roleArn) {
            config.roleArn(roleArn);
            return this;
        }

        public Builder tokenFile(Path tokenFile) {
            config.tokenFile(tokenFile);
            return this;
        }

        public Builder roleSessionName(String name) {
            config.roleSessionName(name);
            return this;
        }

        public Builder region(String region) {
            config.region(region);
            return this;
        }

        public Builder stsEndpoint(URI endpoint) {
            config.stsEndpoint(endpoint);
            return this;
        }

        public Builder sessionDuration(Duration duration) {
            config.sessionDuration(duration);
            return this;
        }

        public Builder sessionPolicy(String policy) {
            config.sessionPolicy(policy);
            return this;
        }

        public Builder policyArns(List<String> arns) {
            config.policyArns(arns);
            return this;
        }

        public Builder refreshPolicy(RefreshPolicy policy) {
            config.refreshPolicy(policy);
            return this;
        }

        public Builder addListener(RefreshListener listener) {
            config.addListener(listener);
            return this;
        }

        /** Fetch at {@link #build()} and throw there if credentials cannot be had (fail at boot). */
        public Builder eagerStart(boolean eager) {
            config.eagerStart(eager);
            this.eager = eager;
            return this;
        }

        /** Your own STS client (anonymous credentials); you keep ownership. */
        public Builder stsClient(StsClient client) {
            config.stsClient(client);
            return this;
        }

        public Builder timeouts(Duration connect, Duration read) {
            config.timeouts(connect, read);
            return this;
        }

        public Builder clock(Clock clock) {
            config.clock(clock);
            return this;
        }

        public Builder settings(SettingsSource settings) {
            config.settings(settings);
            return this;
        }

        /** Share the session with other providers of the same configuration (default true). */
        public Builder shared(boolean shared) {
            this.shared = shared;
            return this;
        }

        /**
         * Builds the provider. Configuration problems do not throw here (so the provider can sit in a chain); they
         * surface from {@link IrsaCredentialsProvider#resolveCredentials()} — unless eager start is on, in which
         * case any failure to get credentials throws here as an {@link SdkClientException}.
         */
        public IrsaCredentialsProvider build() {
            if (!stsOnClassPath()) {
                return new IrsaCredentialsProvider(this, null, SdkClientException.create("The AWS SDK 'sts' module is not"
                        + " on the class path, and IRSA needs it to call AssumeRoleWithWebIdentity. Add the dependency"
                        + " software.amazon.awssdk:sts (same version as your other AWS SDK modules)."));
            }
            IrsaConfig resolved;
            try {
                resolved = config.build();
            } catch (IrsaException e) {
                SdkClientException ex = SdkClientException.builder().message("IRSA is not configured: " + e.getMessage())
                        .cause(e).build();
                if (eager) {
                    throw ex;
                }
                return new IrsaCredentialsProvider(this, null, ex);
            }
            try {
                IrsaSession s = shared ? IrsaSession.shared(resolved) : IrsaSession.create(resolved);
                return new IrsaCredentialsProvider(this, s, null);
            } catch (IrsaException e) {
                throw SdkClientException.builder().message(e.getMessage()).cause(e).build();
            }
        }

        static boolean stsOnClassPath() {
            try {
                Class.forName(STS_CLASS, false, IrsaCredentialsProvider.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }
}
