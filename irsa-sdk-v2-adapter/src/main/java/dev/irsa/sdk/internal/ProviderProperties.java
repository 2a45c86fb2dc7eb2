package dev.irsa.sdk.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an {@link IrsaCredentialsProvider} from string properties (Iceberg's {@code client.credentials-provider.*},
 * Hadoop's {@code fs.s3a.irsa.*}); each caller names where the properties came from, so that errors point there.
 * Not part of the stable API. Stateless and thread-safe.
 */
public final class ProviderProperties {
    private static final Logger log = LoggerFactory.getLogger(ProviderProperties.class);

    /** The keys read: the Spring starter's names without {@code irsa.}. */
    public static final List<String> KEYS = List.of("role-arn", "token-file", "session-name", "region", "sts-endpoint",
            "session-duration", "session-policy", "policy-arns");

    /**
     * Iceberg's own key naming the provider class. Present only when Iceberg handed over all of a catalog's
     * properties (it does with REST-vended credentials: {@code AwsClientProperties.credentialsProvider} copies them
     * into the provider properties), so its presence means "not only ours": other keys are then ignored.
     */
    static final String ICEBERG_CATALOG_MARKER = "client.credentials-provider";

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)?");

    private ProviderProperties() {
    }

    /**
     * A provider configured by {@code properties}, the rest from the environment.
     *
     * @param properties the properties by key without prefix; null is read as empty
     * @param origin where they came from, for messages (e.g. {@code "Hadoop configuration fs.s3a.irsa.*"})
     * @return the provider
     * @throws IllegalArgumentException for an unknown key (unless the map is a whole Iceberg catalog's properties),
     *         a value that cannot be parsed, or explicit properties that do not make a usable provider (malformed role
     *         ARN, missing region, plain-HTTP STS endpoint off loopback...): a provider list would otherwise take
     *         it for "not configured" and move on
     */
    public static IrsaCredentialsProvider create(Map<String, String> properties, String origin) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder();
        if (properties == null || properties.isEmpty()) {
            return b.build();
        }
        boolean wholeCatalog = properties.containsKey(ICEBERG_CATALOG_MARKER);
        boolean explicit = false;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String key = String.valueOf(e.getKey());
            String value = e.getValue() == null || e.getValue().isBlank() ? null : e.getValue().trim();
            if (!KEYS.contains(key)) {
                if (wholeCatalog) {
                    log.debug("IRSA credentials provider ignores catalog property '{}' ({})", key, origin);
                    continue;
                }
                throw new IllegalArgumentException("Unknown IRSA credentials provider property '" + key + "' in "
                        + origin + "; the known ones are " + String.join(", ", KEYS) + ".");
            }
            explicit |= value != null;
            switch (key) {
                case "role-arn" -> b.roleArn(value);
                case "token-file" -> b.tokenFile(value == null ? null : parsed(key, value, origin, Path::of));
                case "session-name" -> b.roleSessionName(value);
                case "region" -> b.region(value);
                case "sts-endpoint" -> b.stsEndpoint(value == null ? null : parsed(key, value, origin, URI::new));
                case "session-duration" -> {
                    if (value != null) {
                        b.sessionDuration(parsed(key, value, origin, ProviderProperties::duration));
                    }
                }
                case "session-policy" -> {
                    if (value != null) {
                        b.sessionPolicy(value);
                    }
                }
                default -> { // policy-arns, comma-separated
                    if (value != null) {
                        b.policyArns(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                .toList());
                    }
                }
            }
        }
        IrsaCredentialsProvider provider = b.build();
        if (explicit && provider.unavailableReason().isPresent()) {
            throw new IllegalArgumentException("The IRSA credentials provider properties in " + origin
                    + " do not make a usable provider: " + provider.unavailableReason().get());
        }
        return provider;
    }

    /** {@code PT1H} (ISO-8601), {@code 3600} (seconds), or {@code 3600s}, {@code 60m}, {@code 1h} as in Spring. */
    static Duration duration(String s) {
        Matcher m = SIMPLE_DURATION.matcher(s);
        if (!m.matches()) {
            return Duration.parse(s);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private interface Parser<T> {
        T parse(String s) throws Exception;
    }

    private static <T> T parsed(String key, String value, String origin, Parser<T> parser) {
        try {
            return parser.parse(value);
        } catch (Exception e) {
            throw new IllegalArgumentException("IRSA credentials provider property '" + key + "' in " + origin
                    + " is not valid: '" + value + "' (" + e.getMessage() + ")", e);
        }
    }
}
