package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaConfigurationException;
import dev.irsa.core.RoleArn;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regional STS endpoints per partition, the region a signed call must be scoped to, and the rules an endpoint
 * override must follow.
 *
 * <p>Partition and DNS suffix come from the region's prefix through a small table, not from the SDK's region
 * metadata: {@code PartitionMetadata.of(Region.of(r))} loads hundreds of classes at startup for the eight facts
 * below. The table is checked against the SDK's metadata for every region it knows (StsEndpointsTest), so an SDK
 * upgrade that brings a new partition fails a test rather than a pod.
 */
public final class StsEndpoints {
    /** {@code eusc-de-east-1} has a four-letter first part; every other region two. */
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    /** {@code sts.<region>.}, {@code sts-fips.<region>.}, and VPC endpoints' {@code vpce-...sts.<region>.vpce.}. */
    private static final Pattern STS_HOST = Pattern.compile("(?:^|\\.)sts(?:-fips)?\\.([a-z]{2,4}(?:-[a-z]+)+-\\d{1,2})\\.");

    /**
     * What a call to a loopback endpoint (an emulator) is signed for when no region is configured: a loopback URL
     * names no region, and us-east-1 is what the AWS SDK and most emulators assume. Only ever used for loopback.
     */
    public static final String LOOPBACK_DEFAULT_REGION = "us-east-1";

    /** A partition: its id (the ARN's second field) and the DNS suffix of its endpoints. */
    public record Partition(String id, String dnsSuffix) {
    }

    private static final Partition AWS = new Partition("aws", "amazonaws.com");

    /**
     * Region prefix to partition (AWS SDK for Java 2.57.8, endpoints.json {@code regionRegex} and
     * {@code dnsSuffix}). Longer prefixes first: {@code us-iso-} must not catch {@code us-isob-}. Anything else is
     * the commercial partition.
     */
    private static final Map.Entry<String, Partition>[] PREFIXES = prefixes(
            "us-gov-", new Partition("aws-us-gov", "amazonaws.com"),
            "us-isob-", new Partition("aws-iso-b", "sc2s.sgov.gov"),
            "us-isof-", new Partition("aws-iso-f", "csp.hci.ic.gov"),
            "us-iso-", new Partition("aws-iso", "c2s.ic.gov"),
            "eu-isoe-", new Partition("aws-iso-e", "cloud.adc-e.uk"),
            "eusc-", new Partition("aws-eusc", "amazonaws.eu"),
            "cn-", new Partition("aws-cn", "amazonaws.com.cn"));

    private StsEndpoints() {}

    @SuppressWarnings("unchecked")
    private static Map.Entry<String, Partition>[] prefixes(Object... pairs) {
        Map.Entry<String, Partition>[] out = new Map.Entry[pairs.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = Map.entry((String) pairs[2 * i], (Partition) pairs[2 * i + 1]);
        }
        return out;
    }

    public static void validateRegion(String region, String source) {
        if (!REGION.matcher(region).matches()) {
            throw new IrsaConfigurationException("'" + region + "' (" + source + ") is not an AWS region name such as"
                    + " us-west-2, eu-central-1, cn-north-1, us-gov-west-1 or eusc-de-east-1.");
        }
    }

    public static Partition partition(String region) {
        for (Map.Entry<String, Partition> e : PREFIXES) {
            if (region.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return AWS;
    }

    /** {@code https://sts.<region>.<partition dns suffix>}, e.g. {@code https://sts.cn-north-1.amazonaws.com.cn}. */
    public static URI regional(String region) {
        return URI.create("https://sts." + region + "." + partition(region).dnsSuffix());
    }

    public static String partitionOf(String region) {
        return partition(region).id();
    }

    /** The region named by an STS endpoint's host name, if it names one ({@code sts.amazonaws.com}: us-east-1). */
    public static Optional<String> regionOfHost(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.equals("sts.amazonaws.com")) {
            return Optional.of("us-east-1"); // the global endpoint is signed for us-east-1
        }
        Matcher m = STS_HOST.matcher(h);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The region signed calls (AssumeRole, GetCallerIdentity) must be scoped to: the one the endpoint's host names
     * ({@code sts.eu-central-1.amazonaws.com}, {@code sts-fips...}, VPC endpoint names, the global endpoint's
     * us-east-1), since the endpoint verifies for its own region whatever AWS_REGION says; else the configured
     * region; else, for a loopback endpoint only, {@link #LOOPBACK_DEFAULT_REGION}. Signing for any other region than
     * the endpoint's fails with SignatureDoesNotMatch, so an endpoint that names none without a region is an error.
     *
     * @throws IrsaConfigurationException when no region is configured and the endpoint names none
     */
    public static String signingRegion(IrsaConfig config) {
        URI endpoint = config.stsEndpoint();
        Optional<String> fromHost = regionOfHost(endpoint.getHost());
        if (fromHost.isPresent()) {
            return fromHost.get();
        }
        if (config.region().isPresent()) {
            return config.region().get();
        }
        if (isLoopback(endpoint.getHost())) {
            return LOOPBACK_DEFAULT_REGION;
        }
        throw new IrsaConfigurationException("No AWS region is set and the STS endpoint " + endpoint + " does not name"
                + " one (as sts.<region>.amazonaws.com or a VPC endpoint name does), so signed STS calls cannot be"
                + " scoped to the right region and would fail with SignatureDoesNotMatch. Set AWS_REGION (or"
                + " aws.region) to the endpoint's region.");
    }

    public static void requireSamePartition(RoleArn role, String region) {
        String p = partitionOf(region);
        if (!p.equals(role.partition())) {
            throw new IrsaConfigurationException("The role " + role + " is in partition " + role.partition()
                    + " but region " + region + " is in partition " + p + ": STS there cannot assume it. Check AWS_REGION"
                    + " and AWS_ROLE_ARN.");
        }
    }

    public static URI parse(String value, String source) {
        try {
            URI uri = new URI(value.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IrsaConfigurationException("The STS endpoint '" + value + "' (" + source + ") must be an absolute"
                        + " URL such as https://sts.us-west-2.amazonaws.com");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IrsaConfigurationException("The STS endpoint '" + value + "' (" + source + ") is not a URL");
        }
    }

    /** The token is a bearer credential: plain HTTP only to this machine. */
    public static void requireSafeTransport(URI endpoint, String source) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase();
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http") && isLoopback(endpoint.getHost())) {
            return;
        }
        throw new IrsaConfigurationException("Refusing to send the web identity token to " + endpoint + " (" + source
                + "): only https, or http to a loopback address (127.0.0.1, ::1, localhost), is allowed.");
    }

    /**
     * Whether a URI host is a loopback address written as one (strict dotted decimal in 127/8, {@code ::1}) or
     * {@code localhost}. {@code 127.999.1.1} is not an address: the JDK would hand it to DNS (and a cluster's search
     * domains), so it is not loopback here.
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || LOOPBACK_V4.matcher(h).matches() || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\." + OCTET + "\\." + OCTET + "\\." + OCTET);
}
