package dev.irsa.testkit.kafka;

import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.time.Duration;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;

/** The broker's SASL server for {@code AWS_MSK_IAM}: one client message, one answer, as MSK's. */
final class MskIamSaslServer implements SaslServer {
    private final String brokerHost;
    private final CallbackHandler handler;
    private MskIamAuthenticator.Authentication granted;
    private long sessionExpiryMs;

    /** Carries one payload to the {@link MskIamServerCallbackHandler} and its verdict back. */
    static final class VerifyCallback implements Callback {
        final byte[] payload;
        final String brokerHost;
        MskIamAuthenticator.Authentication result;

        VerifyCallback(byte[] payload, String brokerHost) {
            this.payload = payload;
            this.brokerHost = brokerHost;
        }
    }

    MskIamSaslServer(String brokerHost, CallbackHandler handler) {
        this.brokerHost = brokerHost;
        this.handler = handler;
    }

    @Override
    public String getMechanismName() {
        return MskIamAuthenticator.AWS_MSK_IAM;
    }

    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        if (granted != null) {
            throw new SaslException("AWS_MSK_IAM takes one client message");
        }
        VerifyCallback v = new VerifyCallback(response, brokerHost);
        try {
            handler.handle(new Callback[] {v});
        } catch (Exception e) {
            throw new SaslException("The AWS_MSK_IAM callback handler failed", e);
        }
        if (v.result == null || !v.result.accepted()) {
            // Kafka sends a SaslAuthenticationException's message to the client: MSK's clients see why, too.
            throw new SaslAuthenticationException("AWS_MSK_IAM authentication failed: "
                    + (v.result == null ? "no verdict" : v.result.failure()));
        }
        granted = v.result;
        // Kafka compares the session's end with its own (system) time; the authenticator's clock may be a test's.
        long left = Duration.between(v.result.at(), v.result.sessionExpiry()).toMillis();
        sessionExpiryMs = System.currentTimeMillis() + Math.max(0, left);
        return ("{\"version\":\"2020_10_22\",\"request-id\":\"" + MskIamAuthenticator.requestId() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isComplete() {
        return granted != null;
    }

    @Override
    public String getAuthorizationID() {
        if (granted == null) {
            throw new IllegalStateException("Authentication exchange has not completed");
        }
        return granted.principal();
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("AWS_MSK_IAM negotiates no security layer");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("AWS_MSK_IAM negotiates no security layer");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        if (granted == null) {
            throw new IllegalStateException("Authentication exchange has not completed");
        }
        // MSK bounds the session by the credentials' expiry: the broker announces it and the client re-authenticates.
        return SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY.equals(propName) ? sessionExpiryMs : null;
    }

    @Override
    public void dispose() {
    }

    /** Creates {@link MskIamSaslServer}s. */
    static final class Factory implements SaslServerFactory {
        @Override
        public SaslServer createSaslServer(String mechanism, String protocol, String serverName, Map<String, ?> props,
                                           CallbackHandler cbh) throws SaslException {
            if (!MskIamAuthenticator.AWS_MSK_IAM.equals(mechanism)) {
                throw new SaslException("Unsupported mechanism " + mechanism);
            }
            return new MskIamSaslServer(serverName, cbh);
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] {MskIamAuthenticator.AWS_MSK_IAM};
        }
    }

    /** Makes the factory known to {@code javax.security.sasl.Sasl}, which Kafka's broker asks for SASL servers. */
    static final class Provider extends java.security.Provider {
        private static final long serialVersionUID = 1L;
        private static final String NAME = "irsa-testkit-msk-iam";

        private Provider() {
            super(NAME, "1.0", "AWS_MSK_IAM SASL server of irsa-testkit");
            // A service that builds the factory itself: the factory need not be a public class found by name.
            putService(new Service(this, "SaslServerFactory", MskIamAuthenticator.AWS_MSK_IAM, Factory.class.getName(),
                    null, null) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new Factory();
                }
            });
        }

        static synchronized void install() {
            if (Security.getProvider(NAME) == null) {
                Security.addProvider(new Provider());
            }
        }
    }
}
