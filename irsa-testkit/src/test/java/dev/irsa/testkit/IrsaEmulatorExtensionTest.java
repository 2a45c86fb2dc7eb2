package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.file.Files;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IrsaEmulatorExtensionTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> b.serviceAccount("payments", "api")
            .accountId("123456789012").region("eu-central-1").roleName("payments-api"));

    static String firstEndpoint;

    @Test
    @Order(1)
    void handsTheTestAReadyPodEnvironment(IrsaEnvironment env) throws Exception {
        assertThat(irsa.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/payments-api");
        assertThat(irsa.region()).isEqualTo("eu-central-1");
        assertThat(irsa.stsEndpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(Files.isSymbolicLink(irsa.tokenFile())).isTrue();
        assertThat(Files.readString(irsa.tokenFile())).startsWith("eyJ");
        assertThat(irsa.podEnvironment()).containsEntry("AWS_ROLE_ARN", irsa.roleArn())
                .containsEntry("AWS_WEB_IDENTITY_TOKEN_FILE", irsa.tokenFile().toString())
                .containsEntry("AWS_STS_REGIONAL_ENDPOINTS", "regional")
                .containsEntry("AWS_REGION", "eu-central-1");
        firstEndpoint = env.stsEndpoint().toString();
        env.sts().faults().failAlways(Fault.THROTTLING);
    }

    @Test
    @Order(2)
    void isSharedByTheClassAndResetBetweenTests(IrsaEnvironment env) throws Exception {
        assertThat(env.stsEndpoint().toString()).isEqualTo(firstEndpoint);
        assertThat(env.sts().calls().all()).isEmpty();
        String token = readToken();
        try (var sts = Sts.anonymous(env.stsEndpoint(), env.region())) {
            var r = sts.assumeRoleWithWebIdentity(b -> b.roleArn(env.roleArn()).roleSessionName("ext")
                    .webIdentityToken(token));
            assertThat(r.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:payments:api");
        }
    }

    private static String readToken() throws Exception {
        return Files.readString(irsa.tokenFile());
    }
}
