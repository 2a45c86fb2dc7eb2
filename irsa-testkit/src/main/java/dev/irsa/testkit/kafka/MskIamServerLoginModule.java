package dev.irsa.testkit.kafka;

import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;

/**
 * The broker's JAAS login module for {@code AWS_MSK_IAM}: it makes the mechanism's SASL server known to the JVM (as
 * Kafka's own {@code PlainLoginModule} does for PLAIN). {@link MskIamAuthenticator#brokerListenerConfig(String)}
 * names it; it logs nobody in. Kafka creates it by name.
 * @since 0.1.0
 */
public final class MskIamServerLoginModule implements LoginModule {
    static {
        MskIamSaslServer.Provider.install();
    }

    /** Creates the module (Kafka does, by name). */
    public MskIamServerLoginModule() {
    }

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        MskIamSaslServer.Provider.install();
    }

    @Override
    public boolean login() {
        return true;
    }

    @Override
    public boolean commit() {
        return true;
    }

    @Override
    public boolean abort() {
        return false;
    }

    @Override
    public boolean logout() {
        return true;
    }
}
