package dev.irsa.cli;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.RoleArn;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import dev.irsa.core.internal.StsEndpoints;
import dev.irsa.testkit.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** Checks every step of IRSA from inside a pod (or with flags), and says what to change when one fails. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Checks IRSA the way the library uses it: the injected variables, the token file and its claims,",
                "the role ARN and session name, the region and endpoint, the clock; then calls STS and",
                "GetCallerIdentity. With --trust-policy, evaluates that IAM trust policy against this token offline.",
                "Exit 0 when no check fails, 1 otherwise. Never prints a secret."})
final class DoctorCommand implements Callable<Integer> {
    enum Status { PASS, WARN, FAIL }

    record Check(String name, Status status, String message) {
    }

    @ParentCommand
    IrsaCli cli;

    @Option(names = "--role-arn", description = "Instead of AWS_ROLE_ARN.")
    String roleArn;

    @Option(names = "--token-file", description = "Instead of AWS_WEB_IDENTITY_TOKEN_FILE.")
    Path tokenFile;

    @Option(names = "--region", description = "Instead of AWS_REGION / AWS_DEFAULT_REGION.")
    String region;

    @Option(names = "--endpoint", description = "STS endpoint, instead of AWS_ENDPOINT_URL_STS or the regional one.")
    URI endpoint;

    @Option(names = "--session-name", description = "Instead of AWS_ROLE_SESSION_NAME.")
    String sessionName;

    @Option(names = "--trust-policy", paramLabel = "FILE", description = "An IAM trust policy (JSON) to evaluate against this token.")
    Path trustPolicy;

    @Option(names = "--json", description = "Print {\"checks\":[{\"name\",\"status\",\"message\"}]} instead of a table.")
    boolean json;

    @Option(names = "--offline", description = "Skip the calls to STS.")
    boolean offline;

    private final List<Check> checks = new ArrayList<>();

    private void add(String name, Status status, String message) {
        checks.add(new Check(name, status, message));
    }

    @Override
    public Integer call() {
        SettingsSource env = cli.settings();
        boolean envOk = variables(env);
        RoleArn role = roleArn(env);
        WebIdentityToken claims = envOk || tokenFile != null ? token(env) : null;
        IrsaConfig config = configuration(env, role);
        if (claims != null) {
            clockFromToken(claims);
        }
        if (trustPolicy != null) {
            trustPolicy(claims, role);
        }
        if (!offline) {
            sts(config);
        }
        report();
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL) ? 1 : 0;
    }

    private boolean variables(SettingsSource env) {
        List<String> missing = new ArrayList<>();
        if (roleArn == null && env.first("aws.roleArn", "AWS_ROLE_ARN").isEmpty()) {
            missing.add("AWS_ROLE_ARN");
        }
        if (tokenFile == null && env.first("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE").isEmpty()) {
            missing.add("AWS_WEB_IDENTITY_TOKEN_FILE");
        }
        if (missing.isEmpty()) {
            add("environment", Status.PASS, "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set");
            return true;
        }
        add("environment", Status.FAIL, String.join(" and ", missing) + " not set. Annotate the pod's ServiceAccount with"
                + " eks.amazonaws.com/role-arn=<role ARN> and recreate the pod (the EKS webhook only changes new pods),"
                + " or pass --role-arn and --token-file.");
        return false;
    }

    private RoleArn roleArn(SettingsSource env) {
        String arn = roleArn != null ? roleArn : env.first("aws.roleArn", "AWS_ROLE_ARN").orElse(null);
        if (arn == null) {
            return null;
        }
        try {
            RoleArn r = RoleArn.parse(arn, roleArn != null ? "--role-arn" : "AWS_ROLE_ARN");
            add("role-arn", Status.PASS, r + " (account " + r.accountId() + ", partition " + r.partition() + ")");
            return r;
        } catch (IrsaException e) {
            add("role-arn", Status.FAIL, e.getMessage());
            return null;
        }
    }

    private WebIdentityToken token(SettingsSource env) {
        Path file = tokenFile != null ? tokenFile
                : env.first("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE").map(Path::of).orElse(null);
        if (file == null) {
            return null;
        }
        String jwt;
        try {
            jwt = new TokenFile(file, Duration.ofMillis(300)).read();
            add("token-file", Status.PASS, file + " is readable (" + jwt.length() + " characters)");
        } catch (IrsaException e) {
            add("token-file", Status.FAIL, e.getMessage());
            return null;
        }
        WebIdentityToken t;
        try {
            t = WebIdentityToken.decode(jwt, file.toString());
            add("token-jwt", Status.PASS, "a JWT issued by " + t.issuer());
        } catch (IrsaException e) {
            add("token-jwt", Status.FAIL, e.getMessage());
            return null;
        }
        Instant now = Instant.now();
        if (t.expiresAt() == null) {
            add("token-expiry", Status.FAIL, "the token has no exp claim: it is not a projected service-account token");
        } else if (!now.isBefore(t.expiresAt())) {
            add("token-expiry", Status.FAIL, "expired at " + t.expiresAt() + " (" + Duration.between(t.expiresAt(), now).toMinutes()
                    + " min ago): the kubelet has not rotated it. Check the projected volume is mounted and the node is healthy.");
        } else if (t.notBefore() != null && now.plusSeconds(60).isBefore(t.notBefore())) {
            add("token-expiry", Status.FAIL, "not valid before " + t.notBefore() + ": this machine's clock is behind");
        } else {
            add("token-expiry", Status.PASS, "valid until " + t.expiresAt() + " (" + Duration.between(now, t.expiresAt()).toMinutes()
                    + " min left; the kubelet rotates it at 80% of its life)");
        }
        if (t.hasStsAudience()) {
            add("token-audience", Status.PASS, "aud " + t.audiences() + " includes " + WebIdentityToken.STS_AUDIENCE);
        } else {
            add("token-audience", Status.WARN, "aud " + t.audiences() + " lacks " + WebIdentityToken.STS_AUDIENCE + ": STS"
                    + " accepts it only if the IAM OIDC provider lists that audience as a client ID. Remove the"
                    + " eks.amazonaws.com/audience annotation to get the default.");
        }
        String sub = t.subject();
        if (sub != null && sub.matches("system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?")) {
            add("token-subject", Status.PASS, "sub " + sub + " (namespace " + t.namespace() + ", service account "
                    + t.serviceAccount() + ")");
        } else {
            add("token-subject", Status.FAIL, "sub '" + sub + "' is not system:serviceaccount:<namespace>:<service account>:"
                    + " this is not a Kubernetes service-account token");
        }
        return t;
    }

    private IrsaConfig configuration(SettingsSource env, RoleArn role) {
        IrsaConfig.Builder b = IrsaConfig.builder().settings(env).refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build());
        if (roleArn != null) {
            b.roleArn(roleArn);
        }
        if (tokenFile != null) {
            b.tokenFile(tokenFile);
        }
        if (region != null) {
            b.region(region);
        }
        if (endpoint != null) {
            b.stsEndpoint(endpoint);
        }
        if (sessionName != null) {
            b.roleSessionName(sessionName);
        }
        try {
            IrsaConfig c = b.build();
            add("session-name", Status.PASS, c.roleSessionName());
            add("region", Status.PASS, c.region().map(r -> r + ", ").orElse("no region, ") + "STS endpoint " + c.stsEndpoint());
            return c;
        } catch (IrsaException e) {
            String m = e.getMessage();
            String name = m.contains("session name") ? "session-name"
                    : m.contains("region") || m.contains("endpoint") || m.contains("STS endpoint") ? "region" : "configuration";
            if (role != null || !name.equals("configuration")) {
                add(name, Status.FAIL, m);
            }
            return null;
        }
    }

    private void clockFromToken(WebIdentityToken t) {
        if (t.issuedAt() == null) {
            return;
        }
        Duration ahead = Duration.between(Instant.now(), t.issuedAt());
        if (ahead.compareTo(Duration.ofMinutes(1)) > 0) {
            add("clock", Status.FAIL, "the token was issued " + ahead.toSeconds() + " s in this machine's future (iat "
                    + t.issuedAt() + "): the clock is behind. Fix NTP: STS and SigV4 reject skewed clocks.");
        }
    }

    private void trustPolicy(WebIdentityToken t, RoleArn role) {
        String json;
        try {
            json = Files.readString(trustPolicy);
        } catch (IOException e) {
            add("trust-policy", Status.FAIL, "cannot read " + trustPolicy + ": " + e.getMessage());
            return;
        }
        if (t == null || t.issuerHostAndPath().isEmpty()) {
            add("trust-policy", Status.FAIL, "needs a readable token to evaluate against (see the checks above)");
            return;
        }
        TrustPolicy policy;
        try {
            policy = TrustPolicy.parse(json);
        } catch (IllegalArgumentException e) {
            add("trust-policy", Status.FAIL, trustPolicy + ": " + e.getMessage());
            return;
        }
        String account = role != null ? role.accountId() : "000000000000";
        // IAM names the OIDC provider in the role's own partition (arn:aws-cn:..., arn:aws-us-gov:..., ...).
        String partition = role != null ? role.partition() : "aws";
        String aud = t.hasStsAudience() ? WebIdentityToken.STS_AUDIENCE : t.audiences().isEmpty() ? null : t.audiences().get(0);
        TrustPolicy.Decision d = policy.evaluate(TrustPolicy.Request.webIdentity(partition, account, t.issuerHostAndPath().get(),
                t.subject(), aud));
        if (d.allowed()) {
            add("trust-policy", Status.PASS, trustPolicy + " allows " + t.subject() + " from oidc-provider/"
                    + t.issuerHostAndPath().get());
        } else {
            add("trust-policy", Status.FAIL, trustPolicy + " denies this token: " + String.join("; ", d.reasons())
                    + ". The principal must be arn:" + partition + ":iam::" + account + ":oidc-provider/" + t.issuerHostAndPath().get()
                    + " and the conditions must match sub " + t.subject() + " and aud " + aud + ".");
        }
    }

    private void sts(IrsaConfig config) {
        if (config == null || checks.stream().anyMatch(c -> c.status() == Status.FAIL)) {
            add("sts-assume-role", Status.FAIL, "not attempted: fix the failed checks above first");
            return;
        }
        try (IrsaSession session = IrsaSession.create(config)) {
            IrsaCredentials c = session.credentials();
            add("sts-assume-role", Status.PASS, "assumed " + c.assumedRoleArn() + " via " + config.stsEndpoint()
                    + "; credentials expire " + c.expiration());
            AtomicReference<String> date = new AtomicReference<>();
            // Scoped to the endpoint's region: signing for another fails with SignatureDoesNotMatch.
            String signingRegion;
            try {
                signingRegion = StsEndpoints.signingRegion(config);
            } catch (IrsaException e) {
                add("sts-caller-identity", Status.FAIL, e.getMessage());
                return;
            }
            try (StsClient sts = StsClient.builder().region(Region.of(signingRegion))
                    .endpointOverride(config.stsEndpoint()).httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))
                    .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()).addExecutionInterceptor(new ExecutionInterceptor() {
                        @Override
                        public void afterTransmission(Context.AfterTransmission ctx, ExecutionAttributes attrs) {
                            ctx.httpResponse().firstMatchingHeader("Date").ifPresent(date::set);
                        }
                    })).build()) {
                GetCallerIdentityResponse me = sts.getCallerIdentity();
                add("sts-caller-identity", Status.PASS, "account " + me.account() + ", " + me.arn());
                clockFromServer(date.get());
            }
        } catch (IrsaException e) {
            add("sts-assume-role", Status.FAIL, e.getMessage());
        } catch (RuntimeException e) {
            add("sts-caller-identity", Status.FAIL, "GetCallerIdentity with the issued credentials failed: " + e.getMessage());
        }
    }

    private void clockFromServer(String httpDate) {
        if (httpDate == null) {
            return;
        }
        try {
            Instant server = ZonedDateTime.parse(httpDate, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration skew = Duration.between(server, Instant.now());
            long s = Math.abs(skew.toSeconds());
            Status st = s > 300 ? (s > 900 ? Status.FAIL : Status.WARN) : Status.PASS;
            add("clock", st, "this machine's clock is " + (skew.isNegative() ? "behind" : "ahead of") + " STS by " + s + " s"
                    + (st == Status.PASS ? "" : ": fix NTP; SigV4 rejects requests more than 15 min off"));
        } catch (RuntimeException e) {
            // No usable Date header: nothing to say about the clock.
        }
    }

    private void report() {
        PrintWriter out = cli.terminal().out();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Check c : checks) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("status", c.status().name());
                m.put("message", c.message());
                list.add(m);
            }
            out.println(Json.compact(Map.of("checks", list)));
            return;
        }
        Terminal t = cli.terminal();
        out.printf("%-20s %-6s %s%n", "CHECK", "STATUS", "DETAIL");
        for (Check c : checks) {
            String status = switch (c.status()) {
                case PASS -> t.green("PASS  ");
                case WARN -> t.yellow("WARN  ");
                case FAIL -> t.red("FAIL  ");
            };
            out.printf("%-20s %s %s%n", c.name(), status, c.message());
        }
        long failed = checks.stream().filter(c -> c.status() == Status.FAIL).count();
        out.println(failed == 0 ? t.green("IRSA looks healthy.")
                : t.red(failed + " check(s) failed.") + " Fix the first FAIL first: later ones often follow from it.");
    }
}
