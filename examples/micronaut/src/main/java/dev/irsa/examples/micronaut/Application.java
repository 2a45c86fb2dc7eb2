package dev.irsa.examples.micronaut;

import io.micronaut.runtime.Micronaut;

/**
 * A Micronaut service on EKS with IRSA: {@code GET /whoami} answers with the role session STS sees. irsa-micronaut
 * supplies the {@code AwsCredentialsProvider} bean from the pod's IRSA (or Pod Identity) variables; health is at
 * {@code /health/readiness}, which includes {@code irsa}.
 */
public final class Application {
    private Application() {
    }

    /**
     * Starts the service.
     *
     * @param args command-line arguments, passed to Micronaut
     */
    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
