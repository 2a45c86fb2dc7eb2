package dev.irsa.examples.quarkus;

import dev.irsa.testkit.quarkus.InjectEmulator;
import dev.irsa.testkit.quarkus.IrsaEmulatorResource;
import dev.irsa.testkit.s3.S3Emulator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The IRSA emulator and, on its STS emulator, the test kit's {@link S3Emulator} with the application's bucket, which
 * accepts only requests signed with credentials that STS issued; points Quarkiverse's S3 client at it
 * ({@code quarkus.s3.endpoint-override}, path-style access, the region). Fields annotated {@link InjectEmulator}
 * receive the {@code IrsaEnvironment} and the {@code S3Emulator}.
 */
// tag::quarkus-s3-resource[]
public class IrsaWithS3Resource extends IrsaEmulatorResource {
    private S3Emulator s3;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>(super.start());
        s3 = S3Emulator.builder().sts(environment().sts()).bucket("app-bucket").start();
        config.put("quarkus.s3.endpoint-override", s3.endpoint().toString());
        config.put("quarkus.s3.path-style-access", "true");
        config.put("quarkus.s3.aws.region", environment().region());
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        super.inject(injector);
        injector.injectIntoFields(s3, new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, S3Emulator.class));
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
        super.stop();
    }
}
// end::quarkus-s3-resource[]
