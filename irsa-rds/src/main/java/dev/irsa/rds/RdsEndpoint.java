package dev.irsa.rds;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an RDS IAM authentication token is signed for: the database endpoint's host and port, the database user and
 * the region. Immutable; the constructor checks every part and says what is wrong.
 *
 * @param host the endpoint's host name as the client connects to it (no scheme, no port)
 * @param port the endpoint's port, 1 to 65535
 * @param user the database user (created with {@code rds_iam} / {@code AWSAuthenticationPlugin})
 * @param region the database's region, e.g. {@code us-east-1}
 * @since 0.1.0
 */
public record RdsEndpoint(String host, int port, String user, String region) {
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
    /** {@code <name>.<id>.<region>.rds.amazonaws.com[.cn]}, proxies and Aurora cluster endpoints included. */
    private static final Pattern RDS_HOST = Pattern.compile(".+\\.([a-z]{2}(?:-[a-z]+)+-\\d+)\\.rds\\.amazonaws\\.com(?:\\.cn)?");
    /** {@code jdbc:<subprotocol>[:<subprotocol>...]://host[:port][/...]}, IPv6 hosts in brackets. */
    private static final Pattern JDBC_URL = Pattern.compile("jdbc:(?:[a-z0-9-]+:)*([a-z0-9-]+)://(\\[[^]]+]|[^:/?;,]+)(?::(\\d+))?.*",
            Pattern.CASE_INSENSITIVE);

    /**
     * Checks the parts.
     *
     * @param host the endpoint's host name as the client connects to it (no scheme, no port)
     * @param port the endpoint's port, 1 to 65535
     * @param user the database user
     * @param region the database's region
     * @throws IllegalArgumentException naming the part that is missing or malformed
     */
    public RdsEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("The RDS endpoint's host is missing: give the DB instance, cluster or proxy"
                    + " endpoint the client connects to, e.g. mydb.abc123.us-east-1.rds.amazonaws.com.");
        }
        if (host.contains("://") || host.contains("/") || (host.contains(":") && !host.startsWith("["))) {
            throw new IllegalArgumentException("The RDS endpoint's host must be a bare host name, without scheme, port"
                    + " or path; got '" + host + "'.");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("The RDS endpoint's port must be between 1 and 65535 (5432 for PostgreSQL,"
                    + " 3306 for MySQL), got " + port + ".");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("The database user is missing: IAM authentication signs the token for one"
                    + " user, the one granted rds_iam (PostgreSQL) or identified with AWSAuthenticationPlugin (MySQL).");
        }
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("The region for the RDS endpoint " + host + " is "
                    + (region == null ? "missing" : "'" + region + "', not a region name like us-east-1")
                    + ": it is derived from *.<region>.rds.amazonaws.com host names; for others give it explicitly.");
        }
    }

    /**
     * The endpoint for {@code host} and {@code port}, its region derived from an RDS host name.
     *
     * @param host the endpoint's host name, {@code *.<region>.rds.amazonaws.com}
     * @param port the endpoint's port
     * @param user the database user
     * @return the endpoint
     * @throws IllegalArgumentException if a part is malformed or the host names no region
     */
    public static RdsEndpoint of(String host, int port, String user) {
        return new RdsEndpoint(host, port, user, regionOf(host));
    }

    /**
     * The endpoint a JDBC URL connects to: its host and port (the driver's default port when the URL has none:
     * 5432 for PostgreSQL, 3306 for MySQL and MariaDB), region derived from the host unless given.
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://mydb.abc123.us-east-1.rds.amazonaws.com:5432/app}; also
     *        {@code jdbc:aws-wrapper:postgresql://...}
     * @param user the database user
     * @param region the region, or null to derive it from the host
     * @return the endpoint
     * @throws IllegalArgumentException if the URL is not a {@code jdbc:...://host[:port]} URL or a part is malformed
     */
    public static RdsEndpoint fromJdbcUrl(String jdbcUrl, String user, String region) {
        Matcher m = jdbcUrl == null ? null : JDBC_URL.matcher(jdbcUrl.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("Cannot take the RDS endpoint from the JDBC URL " + redactQuery(jdbcUrl)
                    + ": expected jdbc:<driver>://<host>[:<port>]/<database>.");
        }
        String host = m.group(2);
        int port;
        if (m.group(3) != null) {
            port = Integer.parseInt(m.group(3));
        } else {
            port = switch (m.group(1).toLowerCase(Locale.ROOT)) {
                case "postgresql" -> 5432;
                case "mysql", "mariadb" -> 3306;
                default -> throw new IllegalArgumentException("The JDBC URL " + redactQuery(jdbcUrl)
                        + " has no port and its driver's default is not known: add :<port> after the host.");
            };
        }
        return new RdsEndpoint(host, port, user, region != null && !region.isBlank() ? region : regionOf(host));
    }

    private static String regionOf(String host) {
        Matcher m = host == null ? null : RDS_HOST.matcher(host.toLowerCase(Locale.ROOT));
        return m != null && m.matches() ? m.group(1) : null;
    }

    /** A JDBC URL's query may carry a password: never repeat it. */
    private static String redactQuery(String url) {
        if (url == null) {
            return "(none)";
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    /** {@return user@host:port (region), for messages} */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + " (" + region + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RdsEndpoint e && port == e.port && host.equalsIgnoreCase(e.host) && user.equals(e.user)
                && region.equals(e.region);
    }

    @Override
    public int hashCode() {
        // by hand, not Objects.hash: no varargs array or boxing on the token cache's hot path
        return ((host.toLowerCase(Locale.ROOT).hashCode() * 31 + port) * 31 + user.hashCode()) * 31 + region.hashCode();
    }
}
