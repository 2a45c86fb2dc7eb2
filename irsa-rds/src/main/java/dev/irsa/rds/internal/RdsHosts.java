package dev.irsa.rds.internal;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host names RDS gives its endpoints, as the AWS Advanced JDBC Wrapper's {@code RdsUtils} recognises them (2.6.4
 * and its later patterns): DB instances, Aurora cluster (writer), reader ({@code cluster-ro-}) and custom
 * ({@code cluster-custom-}) endpoints, RDS Proxy endpoints and their custom endpoints ({@code proxy-}), Aurora
 * Limitless shard groups ({@code shardgrp-}) and Aurora Global Database writer endpoints, each with {@code rds} or
 * {@code rds-fips}, optionally fully qualified (a trailing dot).
 *
 * <p>Two orders: {@code <name>.<id>.<region>.rds.<suffix>} (commercial, the old China form, GovCloud's region-first
 * names) and {@code <name>.<id>.rds.<region>.<suffix>} (China, GovCloud, C2S, SC2S). The suffixes are the partitions'
 * DNS suffixes: those the wrapper knows ({@code amazonaws.com}, {@code amazonaws.com.cn}, {@code amazonaws.eu},
 * {@code amazonaws.au}, {@code amazonaws.uk}, {@code c2s.ic.gov}, {@code sc2s.sgov.gov}) plus the other ISO
 * partitions' in core's partition table. A global writer endpoint names no region: it is an RDS host whose region
 * must be given.
 *
 * <p>Aurora DSQL cluster endpoints, {@code <cluster-id>.dsql.<region>.on.aws} (optionally fully qualified), take IAM
 * tokens too (signed for service {@code dsql}, see {@link #isDsqlHost(String)}); {@link #regionOf} and
 * {@link #isRdsHost} recognise them as well, so everything that switches "an RDS endpoint" to IAM switches a DSQL
 * cluster too.
 */
public final class RdsHosts {
    private static final String REGION = "[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}";
    private static final String SUFFIX = "(?:amazonaws\\.(?:com|com\\.cn|eu|au|uk)|c2s\\.ic\\.gov|sc2s\\.sgov\\.gov"
            + "|csp\\.hci\\.ic\\.gov|cloud\\.adc-e\\.uk)";
    private static final String SERVICE = "rds(?:-fips)?";
    /** The endpoint's own name (an RDS Proxy custom endpoint's is {@code <name>.endpoint}), then kind and id. */
    private static final String NAME_AND_ID = "[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\."
            + "(?:proxy-|cluster-|cluster-ro-|cluster-custom-|shardgrp-)?[a-z0-9]+\\.";
    private static final Pattern REGIONAL = Pattern.compile(NAME_AND_ID
            + "(?:(?<regionFirst>" + REGION + ")\\." + SERVICE + "|" + SERVICE + "\\.(?<serviceFirst>" + REGION + "))"
            + "\\." + SUFFIX + "\\.?");
    /** An Aurora DSQL cluster endpoint: {@code <cluster-id>.dsql.<region>.on.aws}. */
    private static final Pattern DSQL = Pattern.compile("[a-z0-9]+\\.dsql\\.(?<region>" + REGION + ")\\.on\\.aws\\.?");
    private static final Pattern GLOBAL = Pattern.compile("[a-z0-9-]+\\.global-[a-z0-9]+\\.global\\.rds\\.amazonaws\\.com\\.?");

    private RdsHosts() {}

    /**
     * Whether {@code host} is an RDS endpoint's name, one that can take an IAM authentication token.
     *
     * @param host a host name, any case, or null
     * @return true for any form this class recognises, Aurora DSQL cluster endpoints included
     */
    public static boolean isRdsHost(String host) {
        return host != null && (regionOf(host).isPresent() || GLOBAL.matcher(host.toLowerCase(Locale.ROOT)).matches());
    }

    /**
     * The region an RDS endpoint's name holds.
     *
     * @param host a host name, any case, or null
     * @return the region, or empty when the host is no regional RDS endpoint or Aurora DSQL cluster endpoint
     */
    public static Optional<String> regionOf(String host) {
        if (host == null) {
            return Optional.empty();
        }
        Matcher m = REGIONAL.matcher(host.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            Matcher d = DSQL.matcher(host.toLowerCase(Locale.ROOT));
            return d.matches() ? Optional.of(d.group("region")) : Optional.empty();
        }
        return Optional.of(m.group("regionFirst") != null ? m.group("regionFirst") : m.group("serviceFirst"));
    }

    /**
     * Whether {@code host} is an Aurora DSQL cluster endpoint, {@code <cluster-id>.dsql.<region>.on.aws}: its tokens
     * are signed for service {@code dsql} with {@code Action=DbConnect} or {@code DbConnectAdmin}, not for
     * {@code rds-db}.
     *
     * @param host a host name, any case, or null
     * @return true for a DSQL cluster endpoint
     */
    public static boolean isDsqlHost(String host) {
        return host != null && DSQL.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }
}
