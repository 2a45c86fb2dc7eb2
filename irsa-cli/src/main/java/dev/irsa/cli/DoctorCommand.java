package dev.irsa.cli;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.RoleArn;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.StsEndpoints;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Checks every step of IRSA or EKS Pod Identity from inside a pod (or with flags), and says what to change when one
 * fails. The source checked is the one the library's automatic choice ({@link CredentialSource#detect}) picks.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        header = "Checks IRSA or EKS Pod Identity from inside a pod.",
        // One element per paragraph: the help formatter wraps each at the usage width.
        description = {"Checks the credential source the library would pick (IRSA, or EKS Pod Identity; IRSA wins when"
                + " both are configured) the way the library uses it.",
                "IRSA: the injected variables, the token file and its claims, the role ARN and session name, the"
                + " region and endpoint, the clock; then calls STS and GetCallerIdentity. With --trust-policy,"
                + " evaluates that IAM trust policy against this token offline.",
                "EKS Pod Identity: the injected variables, the agent's address, the token file and its claims"
                + " (audience pods.eks.amazonaws.com, expiry), that the agent is reachable; then asks it for"
                + " credentials and calls GetCallerIdentity with them (only a warning when STS does not answer or"
                + " fails: a Pod Identity app may never call STS).",
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

    @Option(names = "--offline", description = "Skip the calls to STS and to the Pod Identity agent.")
    boolean offline;

    private final List<Check> checks = new ArrayList<>();

    private void add(String name, Status status, String message) {
        checks.add(new Check(name, status, message));
    }

    /** How the two kinds of token are named and what each must carry. */
    private enum TokenKind { WEB_IDENTITY, POD_IDENTITY }

    static final String POD_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    static final String POD_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    static final String POD_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

    private boolean podIdentity;

    @Override
    public Integer call() {
        SettingsSource env = cli.settings();
        podIdentity = source(env);
        if (podIdentity) {
            podIdentity(env);
            report();
            return checks.stream().anyMatch(c -> c.status() == Status.FAIL) ? 1 : 0;
        }
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
        TokenFile tf = new TokenFile(file, Duration.ofMillis(300));
        try {
            jwt = tf.read();
            add("token-file", Status.PASS, file + " is readable (" + jwt.length() + " characters)");
        } catch (IrsaException e) {
            add("token-file", Status.FAIL, e.getMessage());
            return null;
        }
        return claims(jwt, tf::decode, TokenKind.WEB_IDENTITY);
    }

    /**
     * The token's checks (JWT, expiry, audience, subject) for either source; null when it is not a JWT. {@code decode}
     * explains a token that is not a JWT in its source's terms (the token file's variable and usual path).
     */
    private WebIdentityToken claims(String jwt, Function<String, WebIdentityToken> decode, TokenKind kind) {
        WebIdentityToken t;
        try {
            t = decode.apply(jwt);
            add("token-jwt", Status.PASS, "a JWT issued by " + t.issuer());
        } catch (IrsaException e) {
            add("token-jwt", Status.FAIL, e.getMessage() + (kind == TokenKind.POD_IDENTITY
                    ? " The agent refuses it (HTTP 400)." : ""));
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
        if (kind == TokenKind.POD_IDENTITY) {
            if (t.audiences().contains(PodIdentityConfig.AUDIENCE)) {
                add("token-audience", Status.PASS, "aud " + t.audiences() + " includes " + PodIdentityConfig.AUDIENCE);
            } else {
                add("token-audience", Status.FAIL, "aud " + t.audiences() + " lacks " + PodIdentityConfig.AUDIENCE
                        + ": the Pod Identity agent refuses this token (HTTP 400). " + POD_TOKEN_FILE + " must name the"
                        + " token EKS projects for Pod Identity (" + PodIdentityConfig.EKS_TOKEN_FILE + "), not the IRSA"
                        + " token (audience " + WebIdentityToken.STS_AUDIENCE + ") or the default service-account token.");
            }
        } else if (t.hasStsAudience()) {
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

    /**
     * Says which source the automatic choice ({@link CredentialSource#detect}) picks and why. Returns whether the Pod
     * Identity checks run: Pod Identity is chosen, or only (part of) its variables are set.
     */
    private boolean source(SettingsSource env) {
        boolean irsaAny = env.first("aws.roleArn", "AWS_ROLE_ARN").isPresent()
                || env.first("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE").isPresent();
        boolean podAny = env.first("aws.containerCredentialsFullUri", POD_URI).isPresent()
                || env.first("aws.containerAuthorizationToken", POD_TOKEN).isPresent()
                || env.first("aws.containerAuthorizationTokenFile", POD_TOKEN_FILE).isPresent();
        if (roleArn != null || tokenFile != null) {
            add("source", Status.PASS, "web-identity (IRSA): --role-arn / --token-file given on the command line");
            return false;
        }
        CredentialSource chosen = CredentialSource.detect(env).orElse(null);
        if (chosen == CredentialSource.WEB_IDENTITY && PodIdentityConfig.isConfigured(env)) {
            add("source", Status.WARN, "web-identity (IRSA): both IRSA (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) and"
                    + " EKS Pod Identity (" + POD_URI + ", " + POD_TOKEN_FILE + ") are configured, and IRSA wins, as in"
                    + " the AWS SDKs' default chains: the Pod Identity association is not used. To use Pod Identity,"
                    + " remove the eks.amazonaws.com/role-arn annotation from the ServiceAccount and recreate the pod;"
                    + " to stay on IRSA, delete the Pod Identity association. Checking IRSA.");
            return false;
        }
        if (chosen == CredentialSource.WEB_IDENTITY) {
            add("source", Status.PASS, "web-identity (IRSA): AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set"
                    + (podAny ? "; the Pod Identity variables are incomplete and ignored" : ""));
            return false;
        }
        if (chosen == CredentialSource.POD_IDENTITY) {
            add("source", Status.PASS, "pod-identity (EKS Pod Identity): " + POD_URI + " and "
                    + (env.first("aws.containerAuthorizationToken", POD_TOKEN).isPresent() ? POD_TOKEN : POD_TOKEN_FILE)
                    + " are set, the IRSA pair is not" + (irsaAny ? " (AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE alone"
                    + " is ignored)" : ""));
            return true;
        }
        if (podAny && !irsaAny) {
            add("source", Status.FAIL, "none: EKS Pod Identity is only partly configured (see environment), and IRSA"
                    + " not at all. Checking EKS Pod Identity.");
            return true;
        }
        add("source", Status.FAIL, "none: neither IRSA (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) nor EKS Pod Identity ("
                + POD_URI + " + " + POD_TOKEN_FILE + ") is configured. Checking IRSA.");
        return false;
    }

    /** The EKS Pod Identity checks, in the order the library goes: variables, agent address, token, agent, STS. */
    private void podIdentity(SettingsSource env) {
        Optional<String> uri = env.first("aws.containerCredentialsFullUri", POD_URI);
        Optional<String> literal = env.first("aws.containerAuthorizationToken", POD_TOKEN).filter(v -> !v.isBlank());
        Optional<String> file = env.first("aws.containerAuthorizationTokenFile", POD_TOKEN_FILE);
        List<String> missing = new ArrayList<>();
        if (uri.isEmpty()) {
            missing.add(POD_URI);
        }
        if (literal.isEmpty() && file.isEmpty()) {
            missing.add(POD_TOKEN_FILE);
        }
        if (!missing.isEmpty()) {
            add("environment", Status.FAIL, String.join(" and ", missing) + " not set. EKS injects " + POD_URI + "="
                    + PodIdentityConfig.EKS_AGENT_URI + " and " + POD_TOKEN_FILE + "=" + PodIdentityConfig.EKS_TOKEN_FILE
                    + " into pods created after their ServiceAccount got a Pod Identity association (aws eks"
                    + " create-pod-identity-association --cluster-name <cluster> --namespace <ns> --service-account <sa>"
                    + " --role-arn <role>), when the eks-pod-identity-agent add-on is installed: recreate the pod.");
        } else if (literal.isPresent() && file.isPresent()) {
            add("environment", Status.WARN, POD_URI + " is set, and " + POD_TOKEN + " wins over " + POD_TOKEN_FILE
                    + " (as in the AWS SDKs): the file is not read. Unset " + POD_TOKEN + " unless that is intended.");
        } else {
            add("environment", Status.PASS, POD_URI + " and " + (literal.isPresent() ? POD_TOKEN : POD_TOKEN_FILE)
                    + " are set");
        }
        URI agent = uri.isPresent() ? agentAddress(env) : null;
        WebIdentityToken claims = null;
        if (literal.isPresent()) {
            add("token", Status.PASS, POD_TOKEN + " is set (" + literal.get().strip().length() + " characters, not shown)");
            claims = claims(literal.get().strip(), jwt -> {
                try {
                    return WebIdentityToken.decode(jwt, POD_TOKEN);
                } catch (IrsaException e) {
                    throw new IrsaException(IrsaException.Kind.TOKEN, "The EKS Pod Identity token in " + POD_TOKEN
                            + " is not a JWT. Unset " + POD_TOKEN + " (it wins over " + POD_TOKEN_FILE + ") or set it to"
                            + " the projected service-account token for audience " + PodIdentityConfig.AUDIENCE + ".");
                }
            }, TokenKind.POD_IDENTITY);
        } else if (file.isPresent()) {
            Path f = Path.of(file.get());
            try {
                TokenFile tf = TokenFile.podIdentity(f, Duration.ofMillis(300));
                String jwt = tf.read();
                add("token-file", Status.PASS, f + " is readable (" + jwt.length() + " characters)");
                claims = claims(jwt, tf::decode, TokenKind.POD_IDENTITY);
            } catch (IrsaException e) {
                add("token-file", Status.FAIL, e.getMessage());
            }
        }
        if (claims != null) {
            clockFromToken(claims);
        }
        if (trustPolicy != null) {
            add("trust-policy", Status.WARN, "--trust-policy evaluates IRSA (web identity) trust policies. A role used"
                    + " through EKS Pod Identity trusts the service principal " + PodIdentityConfig.AUDIENCE + " for"
                    + " sts:AssumeRole and sts:TagSession; the agent-credentials check below proves it does.");
        }
        if (offline) {
            return;
        }
        boolean reachable = agent != null && reachable(agent);
        if (!reachable || checks.stream().anyMatch(c -> c.status() == Status.FAIL)) {
            add("agent-credentials", Status.FAIL, "not attempted: fix the failed checks above first");
            return;
        }
        agentCredentials(env);
    }

    /** Whether the agent URI is one the library calls, and whether it is the EKS agent's own address. */
    private URI agentAddress(SettingsSource env) {
        URI u;
        try {
            // A placeholder token: only the URI is validated here (the token has its own checks).
            u = PodIdentityConfig.builder().settings(env).authorizationToken("-").build().endpoint();
        } catch (IrsaException e) {
            add("agent-address", Status.FAIL, e.getMessage());
            return null;
        }
        String host = bare(u.getHost()).toLowerCase(java.util.Locale.ROOT);
        boolean agentPath = "/v1/credentials".equals(u.getPath());
        String path = agentPath ? "" : "; its path is " + (u.getPath().isEmpty() ? "empty" : u.getPath())
                + ", the agent serves /v1/credentials (404 elsewhere)";
        Status ok = agentPath ? Status.PASS : Status.WARN;
        if (host.equals(PodIdentityConfig.EKS_AGENT_IPV4)) {
            add("agent-address", ok, u + ": the EKS Pod Identity agent (IPv4)" + path);
        } else if (host.equals(PodIdentityConfig.EKS_AGENT_IPV6)) {
            add("agent-address", ok, u + ": the EKS Pod Identity agent on an IPv6 cluster, accepted as is (the AWS SDK"
                    + " for Java v2 also needs AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 for it)" + path);
        } else if (host.equals(PodIdentityConfig.ECS_AGENT_IPV4)) {
            add("agent-address", Status.WARN, u + ": the ECS container agent's address, not the EKS Pod Identity"
                    + " agent's; on EKS " + POD_URI + " is " + PodIdentityConfig.EKS_AGENT_URI + " (IPv6 clusters "
                    + PodIdentityConfig.EKS_AGENT_URI_IPV6 + ")" + path);
        } else if ("http".equalsIgnoreCase(u.getScheme())) {
            add("agent-address", ok, u + ": a loopback address (a local agent or an emulator)" + path);
        } else {
            add("agent-address", Status.WARN, u + ": not the EKS Pod Identity agent, which answers only for Host "
                    + PodIdentityConfig.EKS_AGENT_IPV4 + " or [" + PodIdentityConfig.EKS_AGENT_IPV6 + "] (403 \"Called"
                    + " agent through invalid address\" otherwise); fine only for another container-credentials server");
        }
        return u;
    }

    private boolean reachable(URI u) {
        String host = bare(u.getHost());
        int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        try (Socket s = new Socket(java.net.Proxy.NO_PROXY)) {
            s.connect(new InetSocketAddress(host, port), 2000);
            add("agent-reachable", Status.PASS, u.getHost() + " port " + port + " accepts connections");
            return true;
        } catch (IOException | RuntimeException e) {
            add("agent-reachable", Status.FAIL, "cannot connect to " + u.getHost() + " port " + port + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). Check"
                    + " the eks-pod-identity-agent add-on's DaemonSet runs on this node (kubectl -n kube-system get ds"
                    + " eks-pod-identity-agent -o wide) and that no NetworkPolicy blocks the pod from " + u.getHost()
                    + " port " + port + ".");
            return false;
        }
    }

    /** A real call to the agent, as the library makes it (one attempt), then GetCallerIdentity with its answer. */
    private void agentCredentials(SettingsSource env) {
        PodIdentityConfig config;
        try {
            config = PodIdentityConfig.builder().settings(env)
                    .refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build()).build();
        } catch (IrsaException e) {
            add("agent-credentials", Status.FAIL, e.getMessage());
            return;
        }
        IrsaCredentials c;
        try (CredentialExchange agent = new ContainerCredentialsExchange(config)) {
            c = agent.exchange(config.refreshPolicy().maxAttempts()).credentials();
        } catch (IrsaException e) {
            add("agent-credentials", Status.FAIL, e.getMessage());
            return;
        }
        add("agent-credentials", Status.PASS, "the agent at " + config.endpoint() + " issued credentials"
                + (c.accountId() != null ? " in account " + c.accountId() : "") + " (access key "
                + c.maskedAccessKeyId() + "); they expire " + c.expiration() + " (in "
                + Math.max(0, Duration.between(Instant.now(), c.expiration()).toMinutes()) + " min)");
        String r = region != null ? region : env.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION").orElse(null);
        URI sts;
        try {
            sts = endpoint != null ? endpoint : env.first("aws.endpointUrlSts", "AWS_ENDPOINT_URL_STS")
                    .or(() -> env.first("aws.endpointUrl", "AWS_ENDPOINT_URL"))
                    .map(v -> StsEndpoints.parse(v, "AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL"))
                    .orElse(r != null ? StsEndpoints.regional(r) : null);
            if (r != null) {
                StsEndpoints.validateRegion(r, region != null ? "--region" : "AWS_REGION / AWS_DEFAULT_REGION");
            }
        } catch (IrsaException e) {
            add("region", Status.FAIL, e.getMessage());
            return;
        }
        String signing = sts == null ? null : StsEndpoints.regionOfHost(sts.getHost())
                .orElse(r != null ? r : StsEndpoints.isLoopback(sts.getHost()) ? StsEndpoints.LOOPBACK_DEFAULT_REGION : null);
        if (signing == null) {
            add("region", Status.WARN, "no AWS_REGION (or AWS_DEFAULT_REGION): Pod Identity credentials need none, but"
                    + " AWS clients do, and EKS injects it with the association. GetCallerIdentity not attempted.");
            return;
        }
        add("region", Status.PASS, (r != null ? r : "no region") + ", STS endpoint " + sts + " (for GetCallerIdentity)");
        callerIdentity(sts, signing, c);
    }

    private static String bare(String host) {
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
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
        // The exchange itself, not a session: a session logs its failures, and this table already reports them.
        try (CredentialExchange sts = new StsWebIdentityExchange(config)) {
            IrsaCredentials c = sts.exchange(config.refreshPolicy().maxAttempts()).credentials();
            add("sts-assume-role", Status.PASS, "assumed " + c.assumedRoleArn() + " via " + config.stsEndpoint()
                    + "; credentials expire " + c.expiration());
            // Scoped to the endpoint's region: signing for another fails with SignatureDoesNotMatch.
            String signingRegion;
            try {
                signingRegion = StsEndpoints.signingRegion(config);
            } catch (IrsaException e) {
                add("sts-caller-identity", Status.FAIL, e.getMessage());
                return;
            }
            callerIdentity(config.stsEndpoint(), signingRegion, c);
        } catch (IrsaException e) {
            add("sts-assume-role", Status.FAIL, e.getMessage());
        }
    }

    /** GetCallerIdentity signed (SigV4) with the issued credentials, and the clock from STS's Date header. */
    private void callerIdentity(URI stsEndpoint, String signingRegion, IrsaCredentials c) {
        AtomicReference<String> date = new AtomicReference<>();
        try (StsClient sts = StsClient.builder().region(Region.of(signingRegion))
                .endpointOverride(stsEndpoint).httpClient(UrlConnectionHttpClient.create())
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
        } catch (AwsServiceException e) {
            String said = "STS answered " + (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                    ? e.awsErrorDetails().errorCode() + " " : "") + "(HTTP " + e.statusCode() + "): " + e.getMessage();
            boolean refused = refusesTheCredentials(e);
            if (refused || !podIdentity) {
                add("sts-caller-identity", Status.FAIL, "GetCallerIdentity with the issued credentials failed: " + said);
            } else {
                add("sts-caller-identity", Status.WARN, podIdentityStsUnchecked(said));
            }
        } catch (RuntimeException e) {
            if (podIdentity) {
                add("sts-caller-identity", Status.WARN, podIdentityStsUnchecked("could not reach STS at " + stsEndpoint
                        + " (" + e.getMessage() + ")"));
            } else {
                add("sts-caller-identity", Status.FAIL, "GetCallerIdentity with the issued credentials failed: " + e.getMessage());
            }
        }
    }

    /** The error codes with which STS (or any AWS endpoint) refuses the credentials a request was signed with. */
    private static final java.util.Set<String> AUTH_ERRORS = java.util.Set.of("InvalidClientTokenId",
            "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature", "UnrecognizedClientException",
            "InvalidAccessKeyId", "MissingAuthenticationToken", "AccessDenied", "AccessDeniedException");

    /**
     * Whether an answer to GetCallerIdentity is an authentication error: an auth error code, or HTTP 401/403 (no
     * policy can deny GetCallerIdentity, so a 403 is about the credentials; a disabled region is not). Anything else (a
     * 404 or 405 from an endpoint that is not STS, throttling, a 5xx) leaves the credentials unchecked, not refused.
     */
    private static boolean refusesTheCredentials(AwsServiceException e) {
        String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
        if (code != null && AUTH_ERRORS.contains(code)) {
            return true;
        }
        return (e.statusCode() == 401 || e.statusCode() == 403) && !"RegionDisabledException".equals(code);
    }

    /**
     * Pod Identity needs the agent, not STS: an STS that does not answer, or fails, leaves the credentials unchecked
     * by a signed call, which is worth a warning, not a failure.
     */
    private static String podIdentityStsUnchecked(String what) {
        return "GetCallerIdentity not checked: " + what + ". The agent issued credentials (above), which is all a Pod"
                + " Identity app needs to sign its calls; an app that never calls STS is unaffected. An app that does"
                + " (or this check) needs that STS endpoint reachable: check AWS_ENDPOINT_URL_STS or the regional"
                + " endpoint, and the network path to it.";
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
        out.println(failed == 0 ? t.green((podIdentity ? "EKS Pod Identity" : "IRSA") + " looks healthy.")
                : t.red(failed + " check(s) failed.") + " Fix the first FAIL first: later ones often follow from it.");
    }
}
