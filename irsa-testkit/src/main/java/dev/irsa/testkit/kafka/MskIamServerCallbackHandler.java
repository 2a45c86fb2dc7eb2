package dev.irsa.testkit.kafka;

import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;

/**
 * The broker's {@code sasl.server.callback.handler.class} for {@code AWS_MSK_IAM}: hands each client's payload to
 * the {@link MskIamAuthenticator} its JAAS entry names ({@code authenticator="<id>"}).
 * {@link MskIamAuthenticator#brokerListenerConfig(String)} configures it; Kafka creates it by name. Thread-safe.
 * @since 0.1.0
 */
public final class MskIamServerCallbackHandler implements AuthenticateCallbackHandler {
    private volatile MskIamAuthenticator authenticator;

    /** Creates the handler (Kafka does, by name). */
    public MskIamServerCallbackHandler() {
    }

    /**
     * Finds the authenticator the JAAS entry names.
     *
     * @throws IllegalStateException if the JAAS entry names none, or one that is not open in this JVM
     */
    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        authenticator = MskIamAuthenticator.registered(option(jaasConfigEntries));
    }

    static String option(List<AppConfigurationEntry> entries) {
        for (AppConfigurationEntry e : entries) {
            Object id = e.getOptions().get(MskIamAuthenticator.JAAS_OPTION);
            if (id != null) {
                return id.toString();
            }
        }
        return null;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof MskIamSaslServer.VerifyCallback v) {
                v.result = authenticator.verifyIamPayload(v.payload, v.brokerHost);
            } else {
                throw new UnsupportedCallbackException(c);
            }
        }
    }

    @Override
    public void close() {
    }
}
