package dev.irsa.bench;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * {@code resolveCredentials()} on cached credentials: irsa-java, the AWS SDK's web-identity provider (async refresh
 * off and on), and a {@link StaticCredentialsProvider} as the limit; for EKS Pod Identity, irsa-java
 * ({@code podIdentity}) beside the SDK's {@link ContainerCredentialsProvider} (async refresh off and on), both
 * pointed at the same agent emulator (6-hour credentials, as EKS). Run with {@code -t 1} and {@code -t 2} and
 * {@code -prof gc} for bytes per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class HotPathBenchmark {
    private static final ResolveIdentityRequest IDENTITY_REQUEST = ResolveIdentityRequest.builder().build();

    private IrsaEnvironment env;
    private IrsaCredentialsProvider irsa;
    private Providers.Sdk sdkSync;
    private Providers.Sdk sdkAsync;
    private StaticCredentialsProvider staticProvider;
    private PodIdentityEnvironment podEnv;
    private IrsaCredentialsProvider podIdentity;
    private ContainerCredentialsProvider sdkContainerSync;
    private ContainerCredentialsProvider sdkContainerAsync;

    @Setup(Level.Trial)
    public void setUp() {
        env = IrsaEnvironment.start();
        irsa = Providers.irsa(env);
        sdkSync = Providers.sdk(env, false, null, null);
        sdkAsync = Providers.sdk(env, true, null, null);
        staticProvider = StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIASTATIC", "secret", "token"));
        podEnv = PodIdentityEnvironment.start();
        podIdentity = Providers.podIdentity(podEnv, RefreshPolicy.defaults());
        sdkContainerSync = Providers.sdkContainer(podEnv, false);
        sdkContainerAsync = Providers.sdkContainer(podEnv, true);
        irsa.resolveCredentials();
        sdkSync.credentials().resolveCredentials();
        sdkAsync.credentials().resolveCredentials();
        podIdentity.resolveCredentials();
        sdkContainerSync.resolveCredentials();
        sdkContainerAsync.resolveCredentials();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        irsa.close();
        sdkSync.close();
        sdkAsync.close();
        env.close();
        podIdentity.close();
        sdkContainerSync.close();
        sdkContainerAsync.close();
        podEnv.close();
    }

    @Benchmark
    public AwsCredentials irsa() {
        return irsa.resolveCredentials();
    }

    /** What async SDK clients call on every request. */
    @Benchmark
    public Object irsaResolveIdentity() {
        return irsa.resolveIdentity(IDENTITY_REQUEST).join();
    }

    @Benchmark
    public AwsCredentials sdkSyncRefresh() {
        return sdkSync.credentials().resolveCredentials();
    }

    @Benchmark
    public AwsCredentials sdkAsyncRefresh() {
        return sdkAsync.credentials().resolveCredentials();
    }

    /** irsa-java on EKS Pod Identity (the agent emulator). */
    @Benchmark
    public AwsCredentials podIdentity() {
        return podIdentity.resolveCredentials();
    }

    /** The SDK's container-credentials provider on the same agent emulator. */
    @Benchmark
    public AwsCredentials sdkContainerSyncRefresh() {
        return sdkContainerSync.resolveCredentials();
    }

    @Benchmark
    public AwsCredentials sdkContainerAsyncRefresh() {
        return sdkContainerAsync.resolveCredentials();
    }

    @Benchmark
    public AwsCredentials staticProvider() {
        return staticProvider.resolveCredentials();
    }
}
