package dev.irsa.testkit.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

/**
 * The broker's {@code sasl.server.callback.handler.class} for {@code OAUTHBEARER} with MSK's presigned-URL tokens:
 * hands each token to the {@link MskIamAuthenticator} its JAAS entry names ({@code authenticator="<id>"}); a
 * refused token gets {@code invalid_token} with no detail (the reason is in
 * {@link MskIamAuthenticator#authentications()}). {@link MskIamAuthenticator#brokerListenerConfig(String)}
 * configures it; Kafka creates it by name. Thread-safe.
 * @since 0.1.0
 */
public final class MskOAuthBearerValidatorCallbackHandler implements AuthenticateCallbackHandler {
    private volatile MskIamAuthenticator authenticator;

    /** Creates the handler (Kafka does, by name). */
    public MskOAuthBearerValidatorCallbackHandler() {
    }

    /**
     * Finds the authenticator the JAAS entry names.
     *
     * @throws IllegalStateException if the JAAS entry names none, or one that is not open in this JVM
     */
    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        authenticator = MskIamAuthenticator.registered(MskIamServerCallbackHandler.option(jaasConfigEntries));
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof OAuthBearerValidatorCallback v) {
                MskIamAuthenticator.Authentication a = authenticator.verifyOAuthBearerToken(v.tokenValue());
                if (a.accepted()) {
                    v.token(new Token(v.tokenValue(), a));
                } else {
                    v.error("invalid_token", null, null);
                }
            } else if (c instanceof OAuthBearerExtensionsValidatorCallback e) {
                // MSK's tokens carry no SASL extensions; any sent are neither needed nor validated.
                e.inputExtensions().map().keySet().forEach(k -> e.error(k, "not supported"));
            } else {
                throw new UnsupportedCallbackException(c);
            }
        }
    }

    @Override
    public void close() {
    }

    /** The validated token: its lifetime is the granted session's, in Kafka's (system) time. */
    private static final class Token implements OAuthBearerToken {
        private final String value;
        private final String principal;
        private final long lifetimeMs;
        private final long startMs;

        Token(String value, MskIamAuthenticator.Authentication a) {
            this.value = value;
            this.principal = a.principal();
            this.startMs = System.currentTimeMillis();
            this.lifetimeMs = startMs + Math.max(0, Duration.between(a.at(), a.sessionExpiry()).toMillis());
        }

        @Override
        public String value() {
            return value;
        }

        @Override
        public Set<String> scope() {
            return Set.of();
        }

        @Override
        public long lifetimeMs() {
            return lifetimeMs;
        }

        @Override
        public String principalName() {
            return principal;
        }

        @Override
        public Long startTimeMs() {
            return startMs;
        }

        @Override
        public String toString() {
            return "MskOAuthBearerToken[principal=" + principal + ", lifetimeMs=" + lifetimeMs + "]";
        }
    }
}
