package dev.irsa.bench;

import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
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
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * The cost of an RDS IAM authentication token, i.e. of what a pool does for each new physical connection:
 * <ul>
 *   <li>{@code irsaCached}: {@link RdsAuthTokens#token} with an {@link IrsaCredentialsProvider}, the token reused
 *       while safely valid (the steady state);</li>
 *   <li>{@code irsaProviderSignEveryTime}: {@link RdsUtilities#generateAuthenticationToken} with our provider,
 *       signing every time: the signature and the provider's part of a cache miss, not {@code RdsAuthTokens}'s miss
 *       path itself (which adds the cache's compute and the validity checks);</li>
 *   <li>{@code sdkWebIdentity}: the SDK's own way, {@code generateAuthenticationToken} with the SDK's
 *       {@code StsWebIdentityTokenFileCredentialsProvider} against the same STS emulator, each time;</li>
 *   <li>{@code sdkStatic}: the same with a {@link StaticCredentialsProvider}: the signing cost alone.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class RdsTokenBenchmark {
    private static final String HOST = "mydb.abc123.us-west-2.rds.amazonaws.com";
    private static final RdsEndpoint ENDPOINT = new RdsEndpoint(HOST, 5432, "app_user", "us-west-2");

    private IrsaEnvironment env;
    private IrsaCredentialsProvider irsa;
    private RdsAuthTokens tokens;
    private Providers.Sdk sdk;
    private AwsCredentialsProvider staticProvider;
    private RdsUtilities utilities;

    @Setup(Level.Trial)
    public void setUp() {
        env = IrsaEnvironment.start();
        irsa = Providers.irsa(env);
        tokens = RdsAuthTokens.builder().credentialsProvider(irsa).build();
        sdk = Providers.sdk(env, false, null, null);
        staticProvider = StaticCredentialsProvider.create(irsa.resolveCredentials());
        utilities = RdsUtilities.builder().region(Region.US_WEST_2).build();
        tokens.token(ENDPOINT);
        sdk.credentials().resolveCredentials();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tokens.close();
        irsa.close();
        sdk.close();
        env.close();
    }

    private String sign(AwsCredentialsProvider with) {
        return utilities.generateAuthenticationToken(b -> b.hostname(HOST).port(5432).username("app_user").credentialsProvider(with));
    }

    @Benchmark
    public String irsaCached() {
        return tokens.token(ENDPOINT);
    }

    @Benchmark
    public String irsaProviderSignEveryTime() {
        return sign(irsa);
    }

    @Benchmark
    public String sdkWebIdentity() {
        return sign(sdk.credentials());
    }

    @Benchmark
    public String sdkStatic() {
        return sign(staticProvider);
    }
}
