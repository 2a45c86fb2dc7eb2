package dev.irsa.quarkus.internal;

import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.credentials.CredentialsProvider;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;

/**
 * Quarkus Credentials Provider {@code irsa-rds}: the database user and, as its password, an RDS IAM auth token
 * signed with the {@code irsa} bean's session, from irsa-rds's token cache ({@link RdsAuthTokens}: a token is reused
 * while safely valid, so a new connection costs a cache lookup). Selected with
 * {@code quarkus.datasource.credentials-provider=irsa-rds} (and
 * {@code quarkus.datasource.credentials-provider-name=irsa-rds} when the application has other providers); the
 * endpoint is {@code quarkus.irsa.rds.*}.
 */
@Singleton
@Named(IrsaRdsCredentials.NAME)
public class IrsaRdsCredentials implements CredentialsProvider {
    /** The bean's name and the usual credentials-provider name. */
    public static final String NAME = "irsa-rds";
    private final RdsAuthTokens tokens;
    private final IrsaRuntimeConfig config;
    private volatile RdsEndpoint endpoint;

    IrsaRdsCredentials(IrsaCredentialsProvider irsa, IrsaRuntimeConfig config) {
        this.tokens = RdsAuthTokens.builder().credentialsProvider(irsa).build(); // not closed by the tokens
        this.config = config;
    }

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        RdsEndpoint e = endpoint();
        return Map.of(USER_PROPERTY_NAME, e.user(), PASSWORD_PROPERTY_NAME, tokens.token(e));
    }

    private RdsEndpoint endpoint() {
        RdsEndpoint e = endpoint;
        if (e == null) {
            e = resolve(config);
            endpoint = e;
        }
        return e;
    }

    /** {@code quarkus.irsa.rds.*}: the region given, else the RDS host's, else the application's. */
    static RdsEndpoint resolve(IrsaRuntimeConfig config) {
        IrsaRuntimeConfig.Rds rds = config.rds();
        if (rds.host().isEmpty() || rds.user().isEmpty()) {
            throw new IllegalStateException("The irsa-rds credentials provider needs the database's host and user:"
                    + " set quarkus.irsa.rds.host and quarkus.irsa.rds.user (and quarkus.irsa.rds.port unless 5432)");
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
                        + " endpoint's; set quarkus.irsa.rds.region (or quarkus.irsa.region, AWS_REGION)",
                        notAnRdsHost);
            }
            return RdsEndpoint.of(host, rds.port(), user, region.get());
        }
    }

    @PreDestroy
    void close() {
        tokens.close();
    }
}
