package dev.irsa.hadoop;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.ProviderProperties;
import java.io.Closeable;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * IRSA (or EKS Pod Identity) credentials for Hadoop's S3A filesystem:
 * {@code fs.s3a.aws.credentials.provider=dev.irsa.hadoop.IrsaS3ACredentialsProvider}.
 *
 * <p>S3A builds one instance per filesystem through the {@code (URI, Configuration)} constructor, after copying the
 * bucket's own options ({@code fs.s3a.bucket.<bucket>.*}) over the general ones. The optional keys under
 * {@value #PREFIX} ({@code role-arn}, {@code token-file}, {@code session-name}, {@code region},
 * {@code sts-endpoint}, {@code session-duration}, {@code session-policy}, {@code policy-arns}, as in
 * {@link IrsaCredentialsProvider#create(Map)}) override the pod's environment, so
 * {@code fs.s3a.bucket.logs.irsa.role-arn} gives one bucket a role of its own; anything not set comes from the
 * environment ({@code AWS_ROLE_ARN}, {@code AWS_WEB_IDENTITY_TOKEN_FILE}...). Instances with the same settings, in
 * every filesystem of the process, share one session: one STS call per refresh per role.
 *
 * <p><b>Closing.</b> An instance takes its hold on the shared session at its first use, not when built. S3A closes
 * its providers when the filesystem closes. {@link #close()} releases only this
 * filesystem's hold on the shared session, so the other filesystems (and any {@link IrsaCredentialsProvider} built
 * alike) go on without a new STS call; the session's threads stop when the last holder closes, and its credentials
 * are kept (data only), so that a filesystem opened next for the same settings starts from them while they are
 * valid, without an STS call.
 *
 * <p>Thread-safe; a call blocks only while no valid credentials are cached (first use, or a failed refresh near
 * expiry). When neither IRSA nor Pod Identity is configured, {@link #resolveCredentials()} throws an
 * {@code SdkClientException} naming the missing variables, so an S3A provider list moves on to its next entry.
 * @since 0.1.0
 */
public final class IrsaS3ACredentialsProvider implements AwsCredentialsProvider, Closeable {
    /** The prefix of the Hadoop configuration keys this provider reads: {@value}. */
    public static final String PREFIX = "fs.s3a.irsa.";

    private final IrsaCredentialsProvider delegate;
    private final String bucket;

    /**
     * What S3A calls for each filesystem.
     *
     * @param uri the filesystem's URI (only its bucket is used, in {@link #toString()}); may be null
     * @param conf the filesystem's configuration, with the bucket's own options already applied
     * @throws IllegalArgumentException for an unknown key under {@value #PREFIX} (a misspelt key would otherwise be
     *         silently ignored), a value that cannot be parsed, or keys given that do not make a usable provider (a
     *         malformed role ARN, no region...); S3A reports it as an {@code IOException} naming this class and
     *         {@code fs.s3a.aws.credentials.provider}
     */
    public IrsaS3ACredentialsProvider(URI uri, Configuration conf) {
        this(configured(conf), uri == null ? null : uri.getHost());
    }

    private IrsaS3ACredentialsProvider(IrsaCredentialsProvider delegate, String bucket) {
        this.delegate = delegate;
        this.bucket = bucket;
    }

    /**
     * From the environment only, for callers without a Hadoop configuration (S3A itself always uses the constructor).
     *
     * @return a provider configured like {@link IrsaCredentialsProvider#create()}
     */
    public static IrsaS3ACredentialsProvider create() {
        return new IrsaS3ACredentialsProvider(configured(null), null);
    }

    private static IrsaCredentialsProvider configured(Configuration conf) {
        IrsaCredentialsProvider p = conf == null ? IrsaCredentialsProvider.create()
                : ProviderProperties.create(conf.getPropsWithPrefix(PREFIX), "the Hadoop configuration " + PREFIX + "*");
        // Built (so a bad setting fails the filesystem now), but holding nothing until first use: S3A does not close
        // the providers it already built when a later one in fs.s3a.aws.credentials.provider fails, and a hold taken
        // here would then last until the JVM exits. A released provider takes the session up again when asked.
        p.close();
        return p;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return delegate.resolveCredentials();
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        return delegate.resolveIdentity(request);
    }

    /**
     * The {@link IrsaCredentialsProvider} this one hands every call to, for its {@code state()} (health checks) and
     * {@code source()}.
     *
     * @return the underlying provider
     */
    public IrsaCredentialsProvider delegate() {
        return delegate;
    }

    /**
     * Releases this filesystem's hold on the shared session; other holders keep it running. Stays usable, like
     * {@link IrsaCredentialsProvider#close()}.
     */
    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "IrsaS3ACredentialsProvider[" + (bucket == null ? "" : "s3a://" + bucket + ", ") + delegate + "]";
    }
}
