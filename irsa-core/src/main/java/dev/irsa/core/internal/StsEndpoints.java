package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfigurationException;
import dev.irsa.core.RoleArn;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/** Regional STS endpoints per partition, and the rules an endpoint override must follow. */
public final class StsEndpoints {
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    private StsEndpoints() {}

    public static void validateRegion(String region, String source) {
        if (!REGION.matcher(region).matches()) {
            throw new IrsaConfigurationException("'" + region + "' (" + source + ") is not an AWS region name such as"
                    + " us-west-2, eu-central-1, cn-north-1 or us-gov-west-1.");
        }
    }

    /** {@code https://sts.<region>.<partition dns suffix>}, e.g. {@code https://sts.cn-north-1.amazonaws.com.cn}. */
    public static URI regional(String region) {
        String suffix = PartitionMetadata.of(Region.of(region)).dnsSuffix();
        return URI.create("https://sts." + region + "." + suffix);
    }

    public static String partitionOf(String region) {
        return PartitionMetadata.of(Region.of(region)).id();
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

    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }
}
