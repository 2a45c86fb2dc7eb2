package dev.irsa.examples.plain;

import dev.irsa.sdk.IrsaCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * The smallest IRSA program: an SDK client built with {@link IrsaCredentialsProvider}, everything else from the
 * pod's environment (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_REGION; AWS_ENDPOINT_URL_STS when running
 * against the local emulator). Prints which role the program runs as.
 */
public final class WhoAmI {
    private WhoAmI() {}

    public static void main(String[] args) {
        try (IrsaCredentialsProvider credentials = IrsaCredentialsProvider.create();
             StsClient sts = StsClient.builder().credentialsProvider(credentials).build()) {
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            System.out.println("account: " + me.account());
            System.out.println("arn:     " + me.arn());
            System.out.println("expires: " + credentials.state().orElseThrow().expiration());
        }
    }
}
