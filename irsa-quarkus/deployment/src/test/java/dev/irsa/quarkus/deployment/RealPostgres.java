package dev.irsa.quarkus.deployment;

import dev.irsa.rds.LdapBindResponder;
import dev.irsa.rds.LocalPostgres;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real PostgreSQL of irsa-rds's end-to-end tests (its test jar's {@link LocalPostgres} and
 * {@link LdapBindResponder}), once per test JVM: every login but the superuser's goes to an LDAP bind whose password,
 * the IAM token, the test kit's verifier checks as RDS does, against what {@link Fixture}'s STS emulator issued.
 *
 * <p>Started in the class loader that configures the application; what the application's class loader reads (the
 * port, the verdicts) goes through {@link SharedState} as JDK types. A test class using it carries
 * {@code @ExtendWith(RealPostgres.Required.class)}, which skips it, saying why, where PostgreSQL cannot be run.
 */
final class RealPostgres {
    /** The IAM database user: {@code create role app_user login}, no password of its own. */
    static final String USER = "app_user";
    private static final String PORT = "irsa.quarkus.test.postgres.port";
    private static final String VERDICTS = "irsa.quarkus.test.postgres.verdicts";

    private RealPostgres() {
    }

    /** Skips a test class where the server cannot be run (not installed, not root), with the reason. */
    static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return LocalPostgres.unavailableReason()
                    .map(why -> ConditionEvaluationResult.disabled("Skipping the PostgreSQL end-to-end test: " + why))
                    .orElseGet(() -> ConditionEvaluationResult.enabled("PostgreSQL can be run"));
        }
    }

    /** {@return the server's loopback port, the server started on first use; 1 where it cannot run (skipped)} */
    static int port() {
        if (LocalPostgres.unavailableReason().isPresent()) {
            return 1; // the class is skipped; its application is never built
        }
        Map<String, Object> shared = SharedState.get();
        synchronized (shared) {
            Object port = shared.get(PORT);
            if (port == null) {
                port = start();
                shared.put(PORT, port);
            }
            return (Integer) port;
        }
    }

    private static Integer start() {
        String region = Fixture.config().get("quarkus.irsa.region");
        RdsAuthTokenVerifier verifier = Fixture.verifier();
        // reason, access key id, assumed role ARN of each login's token, in order
        List<List<String>> verdicts = new CopyOnWriteArrayList<>();
        int[] pgPort = new int[1];
        try {
            LdapBindResponder ldap = new LdapBindResponder((dn, password) -> {
                String user = dn.replaceFirst("^cn=", "").replaceFirst(",dc=rds$", "");
                RdsAuthTokenVerifier.Verdict v = verifier.verify(password, "127.0.0.1", pgPort[0], user, region);
                List<String> row = new ArrayList<>();
                row.add(v.reason().name());
                row.add(v.accessKeyId());
                row.add(v.assumedRoleArn());
                verdicts.add(row);
                return v.accepted();
            });
            LocalPostgres pg = new LocalPostgres(ldap.port());
            pgPort[0] = pg.port();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (ldap; pg) {
                    // closed in reverse order: the server, then the responder
                } catch (IOException e) {
                    // the JVM is exiting: LocalPostgres's own hook stops the server too
                }
            }, "irsa-quarkus-test-postgres-stop"));
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres",
                    "postgres", ""); Statement s = c.createStatement()) {
                s.execute("create role " + USER + " login");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Setting up the local PostgreSQL failed", e);
        }
        SharedState.get().put(VERDICTS, verdicts);
        return pgPort[0];
    }

    /** The verdicts on every login's token so far, oldest first: each {@code [reason, accessKeyId, assumedRoleArn]}. */
    @SuppressWarnings("unchecked")
    static List<List<String>> verdicts() {
        Object v = SharedState.get().get(VERDICTS);
        return v == null ? List.of() : List.copyOf((List<List<String>>) v);
    }

    /** {@return the login tokens' verdicts since {@code from} (a size of {@link #verdicts()} taken earlier)} */
    static List<List<String>> verdictsSince(int from) {
        List<List<String>> all = verdicts();
        return all.subList(from, all.size());
    }
}
