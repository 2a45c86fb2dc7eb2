package dev.irsa.examples.quarkus;

import dev.irsa.testkit.quarkus.InjectEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts a {@link FakeS3} and points Quarkiverse's S3 client at it ({@code quarkus.s3.endpoint-override}, path-style
 * access, a region); a field of type {@link FakeS3} annotated {@link InjectEmulator} receives it.
 */
public class FakeS3Resource implements QuarkusTestResourceLifecycleManager {
    private FakeS3 s3;

    /** Created by Quarkus's test framework. */
    public FakeS3Resource() {
    }

    @Override
    public Map<String, String> start() {
        try {
            s3 = new FakeS3();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.s3.endpoint-override", s3.endpoint().toString(),
                "quarkus.s3.path-style-access", "true",
                // on EKS the SDK finds AWS_REGION in the environment; here it is configuration only
                "quarkus.s3.aws.region", "us-west-2");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(s3, new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, FakeS3.class));
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
