package dev.irsa.rds;

import dev.irsa.rds.internal.RdsHosts;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an RDS IAM authentication token is signed for: the database endpoint's host and port, the database user and
 * the region. Immutable; the constructor checks every part and says what is wrong.
 *
 * <p>An Aurora DSQL cluster endpoint ({@code <cluster-id>.dsql.<region>.on.aws}, port 5432) is an endpoint too: its
 * tokens are DSQL's ({@link #isDsql()}), chosen by the host signed for, so every integration that takes an
 * {@code RdsEndpoint} (the token cache, HikariCP, Spring, R2DBC) serves DSQL without a setting of its own.
 *
 * @param host the endpoint's host name as the client connects to it (no scheme, no port)
 * @param port the endpoint's port, 1 to 65535
 * @param user the database user (created with {@code rds_iam} / {@code AWSAuthenticationPlugin})
 * @param region the database's region, e.g. {@code us-east-1}
 * @since 0.1.0
 */
public record RdsEndpoint(String host, int port, String user, String region) {
    /** As core's STS endpoint table: {@code eusc-de-east-1} has a four-letter first part, every other region two. */
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    /**
     * {@code jdbc:<subprotocol>[:<subprotocol>...]://host[:port][/...]}, IPv6 hosts in brackets. No user info
     * ({@code user:password@}) before the host; group 4 is what follows, a comma there starting a second host.
     */
    private static final Pattern JDBC_URL = Pattern.compile(
            "(jdbc:(?:[a-z0-9-]+:)*([a-z0-9-]+)://(\\[[^]]+]|[^:/?;,@\\[]+))(?::(\\d+))?([/?;,].*)?",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** A JDBC URL's first subprotocol: all of it that {@link #describe} repeats when the URL cannot be parsed. */
    private static final Pattern JDBC_PREFIX = Pattern.compile("jdbc:[a-z0-9-]+:", Pattern.CASE_INSENSITIVE);

    /**
     * Checks the parts. The host is kept in lower case and without a trailing dot (host names are case-insensitive,
     * and {@code db.example.com.} is the fully qualified spelling of {@code db.example.com}): the token is signed for
     * the spelling kept, the endpoint's name as RDS knows it, so it is the token {@code RdsUtilities} signs for that
     * name, byte for byte.
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
        if (host.contains("://") || host.contains("/") || host.contains("@") || host.contains(",")
                || (host.contains(":") && !host.startsWith("["))) {
            throw new IllegalArgumentException("The RDS endpoint's host must be one bare host name, without scheme,"
                    + " user, port or path; got '" + host + "'.");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
            if (host.isEmpty() || host.endsWith(".")) {
                throw new IllegalArgumentException("The RDS endpoint's host must be a host name; got '" + host + ".'.");
            }
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
                    + ": it is derived from RDS endpoint names (instance, cluster, proxy; commercial, China, GovCloud and"
                    + " ISO forms such as *.<region>.rds.amazonaws.com or *.rds.<region>.amazonaws.com.cn) and Aurora DSQL"
                    + " cluster endpoints (*.dsql.<region>.on.aws); for other names give it explicitly.");
        }
    }

    /**
     * The endpoint for {@code host} and {@code port}, its region derived from an RDS host name.
     *
     * @param host the endpoint's host name: an RDS instance, Aurora cluster, reader, custom or shard group, or RDS Proxy
     *        endpoint, e.g. {@code *.<region>.rds.amazonaws.com}, {@code *.rds.cn-north-1.amazonaws.com.cn},
     *        {@code *.rds.us-gov-west-1.amazonaws.com} (every form the AWS Advanced JDBC Wrapper recognises), or an
     *        Aurora DSQL cluster endpoint, {@code <cluster-id>.dsql.<region>.on.aws}
     * @param port the endpoint's port
     * @param user the database user
     * @return the endpoint
     * @throws IllegalArgumentException if a part is malformed or the host names no region
     */
    public static RdsEndpoint of(String host, int port, String user) {
        return of(host, port, user, null);
    }

    /**
     * The endpoint for {@code host} and {@code port}, its region given or derived from an RDS host name.
     *
     * @param host the endpoint's host name
     * @param port the endpoint's port
     * @param user the database user
     * @param region the region, or null (or blank) to derive it from an RDS endpoint name
     *        (see {@link #of(String, int, String)})
     * @return the endpoint
     * @throws IllegalArgumentException if a part is malformed or no region is given and the host names none
     */
    public static RdsEndpoint of(String host, int port, String user, String region) {
        return new RdsEndpoint(host, port, user, region != null && !region.isBlank() ? region : regionOf(host));
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
     * @throws IllegalArgumentException if the URL is not a {@code jdbc:...://host[:port]} URL, names several hosts
     *         (a token is signed for one host) or a part is malformed; the message repeats no more of the URL than
     *         {@code jdbc:<driver>://<host>}, so no password in it is ever repeated
     */
    public static RdsEndpoint fromJdbcUrl(String jdbcUrl, String user, String region) {
        Matcher m = jdbcUrl == null ? null : JDBC_URL.matcher(jdbcUrl.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("Cannot take the RDS endpoint from the JDBC URL " + describe(jdbcUrl)
                    + ": expected jdbc:<driver>://<host>[:<port>]/<database>, with no user or password before the host.");
        }
        if (m.group(5) != null && m.group(5).startsWith(",")) {
            throw new IllegalArgumentException("The JDBC URL " + m.group(1) + ",... names several hosts: an IAM token is"
                    + " signed for one host and port, so give the one host the client logs in to, or the host and"
                    + " port to sign for explicitly (an RdsEndpoint of your own).");
        }
        String host = m.group(3);
        int port;
        if (m.group(4) != null) {
            port = Integer.parseInt(m.group(4));
        } else {
            port = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "postgresql" -> 5432;
                case "mysql", "mariadb" -> 3306;
                default -> throw new IllegalArgumentException("The JDBC URL " + m.group(1)
                        + " has no port and its driver's default is not known: add :<port> after the host.");
            };
        }
        return of(host, port, user, region);
    }

    private static String regionOf(String host) {
        return RdsHosts.regionOf(host).orElse(null);
    }

    /**
     * A JDBC URL may carry a password anywhere (a query, {@code ;password=}, {@code user/password@} in Oracle's): a
     * message repeats only {@code jdbc:<driver>://<host>}, or only {@code jdbc:<subprotocol>:...} when that cannot be told.
     *
     * @param jdbcUrl any JDBC URL, or null
     * @return the part of it safe to show
     */
    static String describe(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "(none)";
        }
        Matcher m = JDBC_URL.matcher(jdbcUrl.trim());
        if (m.matches()) {
            return m.group(1) + "...";
        }
        Matcher p = JDBC_PREFIX.matcher(jdbcUrl.trim());
        return p.lookingAt() ? p.group() + "..." : "(not a jdbc: URL)";
    }

    /**
     * Whether the host is an Aurora DSQL cluster endpoint, {@code <cluster-id>.dsql.<region>.on.aws}: then the token
     * is DSQL's (service {@code dsql}, {@code Action=DbConnectAdmin} for {@link #isDsqlAdmin() admin},
     * {@code DbConnect} otherwise), not RDS's ({@code rds-db}, {@code Action=connect}). The host signed for decides:
     * it is the cluster endpoint (as the SDK's {@code DsqlUtilities} is given it) whatever name the client connects
     * through; for a tunnel or another DNS name, sign for the cluster endpoint ({@code irsa.rds.host} under Spring).
     *
     * @return true for a DSQL cluster endpoint
     */
    public boolean isDsql() {
        return RdsHosts.isDsqlHost(host);
    }

    /**
     * Whether a DSQL token is {@code DbConnectAdmin}: the user is {@code admin}. DSQL has one built-in role,
     * {@code admin}, which logs in only with a {@code DbConnectAdmin} token (IAM action {@code dsql:DbConnectAdmin});
     * every other role is a custom one that {@code admin} created and linked to an IAM role ({@code AWS IAM GRANT}),
     * which logs in only with {@code DbConnect} ({@code dsql:DbConnect}). A custom role cannot be named
     * {@code admin}, so the user name tells the two apart with no setting that could contradict it. The name is
     * compared exactly, as PostgreSQL compares role names at login.
     *
     * @return true for a DSQL endpoint whose user is {@code admin}
     */
    public boolean isDsqlAdmin() {
        return isDsql() && "admin".equals(user);
    }

    /** {@return user@host:port (region), for messages} */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + " (" + region + ")";
    }
}
