package dev.irsa.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An IAM role trust policy (real IAM JSON) and an evaluator with IAM's semantics, for the subset that
 * role assumption uses: {@code Effect}, {@code Principal} ({@code Federated}, {@code AWS}, {@code *}),
 * {@code Action} (with wildcards), and {@code Condition} with the string operators
 * ({@code StringEquals}, {@code StringNotEquals}, {@code StringEqualsIgnoreCase},
 * {@code StringNotEqualsIgnoreCase}, {@code StringLike}, {@code StringNotLike}), the {@code IfExists}
 * suffix and the {@code ForAnyValue:}/{@code ForAllValues:} prefixes.
 *
 * <p>IAM semantics: all operator blocks of a statement must match and, within a block, all keys (AND);
 * within one key any listed value matches (OR); a negated operator matches when the key is absent;
 * {@code StringLike} treats {@code *} as any run of characters and {@code ?} as one; condition key names
 * are case-insensitive; an explicit Deny wins over any Allow; with no matching Allow the request is
 * denied. Immutable and thread-safe.
 * @since 0.1.0
 */
public final class TrustPolicy {
    private final List<Statement> statements;
    private final String json;

    private TrustPolicy(List<Statement> statements, String json) {
        this.statements = statements;
        this.json = json;
    }

    /**
     * Parses a trust policy document.
     *
     * @param json the policy document
     * @return the parsed policy
     * @throws IllegalArgumentException if it is not JSON or not shaped like an IAM policy; the message says what
     */
    public static TrustPolicy parse(String json) {
        Map<String, Object> doc;
        try {
            doc = JSONObjectUtils.parse(Objects.requireNonNull(json, "json"));
        } catch (ParseException e) {
            throw new IllegalArgumentException("The trust policy is not valid JSON: " + e.getMessage(), e);
        }
        Object st = doc.get("Statement");
        if (st == null) {
            throw new IllegalArgumentException("The trust policy has no Statement");
        }
        List<Statement> statements = new ArrayList<>();
        int i = 0;
        for (Object o : asList(st)) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("Statement " + i + " is not a JSON object");
            }
            statements.add(Statement.of(i++, m));
        }
        return new TrustPolicy(List.copyOf(statements), json);
    }

    /**
     * The trust policy eksctl writes for one service account: the cluster's OIDC provider as the federated
     * principal, {@code sts:AssumeRoleWithWebIdentity}, and {@code StringEquals} on {@code sub} and {@code aud}
     * (or {@code StringLike} on {@code sub} when {@code serviceAccount} contains a wildcard).
     *
     * @param accountId the 12-digit account of the OIDC provider
     * @param issuerHostAndPath the issuer without its scheme, as IAM names the OIDC provider
     * @param namespace the service account's namespace
     * @param serviceAccount the service account's name, possibly with wildcards
     * @return the policy document (JSON), for audience {@code sts.amazonaws.com} in partition {@code aws}
     */
    public static String forServiceAccount(String accountId, String issuerHostAndPath, String namespace,
                                           String serviceAccount) {
        return forServiceAccount("aws", accountId, issuerHostAndPath, namespace, serviceAccount,
                ServiceAccountTokenBuilder.STS_AUDIENCE);
    }

    /**
     * As {@link #forServiceAccount(String, String, String, String)}, in any partition and for any audience.
     *
     * @param partition the partition, e.g. {@code aws}
     * @param accountId the 12-digit account of the OIDC provider
     * @param issuerHostAndPath the issuer without its scheme, as IAM names the OIDC provider
     * @param namespace the service account's namespace
     * @param serviceAccount the service account's name, possibly with wildcards
     * @param audience the required {@code aud}
     * @return the policy document (JSON)
     */
    public static String forServiceAccount(String partition, String accountId, String issuerHostAndPath, String namespace,
                                           String serviceAccount, String audience) {
        String provider = "arn:" + partition + ":iam::" + accountId + ":oidc-provider/" + issuerHostAndPath;
        String sub = "system:serviceaccount:" + namespace + ":" + serviceAccount;
        boolean wildcard = sub.contains("*") || sub.contains("?");
        Map<String, Object> condition = new LinkedHashMap<>();
        if (wildcard) {
            condition.put("StringLike", Map.of(issuerHostAndPath + ":sub", sub));
            condition.put("StringEquals", Map.of(issuerHostAndPath + ":aud", audience));
        } else {
            Map<String, Object> eq = new LinkedHashMap<>();
            eq.put(issuerHostAndPath + ":sub", sub);
            eq.put(issuerHostAndPath + ":aud", audience);
            condition.put("StringEquals", eq);
        }
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("Effect", "Allow");
        statement.put("Principal", Map.of("Federated", provider));
        statement.put("Action", "sts:AssumeRoleWithWebIdentity");
        statement.put("Condition", condition);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("Version", "2012-10-17");
        doc.put("Statement", List.of(statement));
        return JSONObjectUtils.toJSONString(doc);
    }

    /**
     * The document as given.
     *
     * @return the policy document
     */
    public String json() {
        return json;
    }

    /**
     * Evaluates a role-assumption request against this policy and explains the outcome.
     *
     * @param request the request
     * @return whether the policy allows it, and why
     */
    public Decision evaluate(Request request) {
        List<String> reasons = new ArrayList<>();
        boolean allowed = false;
        for (Statement s : statements) {
            List<String> why = new ArrayList<>();
            boolean applies = s.matches(request, why);
            if (applies && s.deny) {
                reasons.add(s.label() + " explicitly denies the request");
                return new Decision(false, List.copyOf(reasons));
            }
            if (applies) {
                allowed = true;
                reasons.add(s.label() + " allows the request");
            } else {
                why.forEach(w -> reasons.add(s.label() + ": " + w));
            }
        }
        if (!allowed && reasons.isEmpty()) {
            reasons.add("no statement allows the request");
        }
        return new Decision(allowed, List.copyOf(reasons));
    }

    @Override
    public String toString() {
        return "TrustPolicy[" + statements.size() + " statement(s)]";
    }

    /**
     * What is asked: the principal (type {@code Federated} with an OIDC provider ARN, or {@code AWS} with a
     * role or account ARN), the action, and the request's condition keys (for example
     * {@code <issuer-host-path>:sub}). Keys are matched case-insensitively.
     *
     * @param principalType {@code Federated} or {@code AWS}
     * @param principal the OIDC provider ARN, or the role or account ARN
     * @param action the action, e.g. {@code sts:AssumeRoleWithWebIdentity}
     * @param context the condition keys and their values
     */
    public record Request(String principalType, String principal, String action, Map<String, List<String>> context) {
        /**
         * Checks the principal and action are present and copies {@code context} with its keys lower-cased.
         *
         * @param principalType {@code Federated} or {@code AWS}
         * @param principal the OIDC provider ARN, or the role or account ARN
         * @param action the action, e.g. {@code sts:AssumeRoleWithWebIdentity}
         * @param context the condition keys and their values
         */
        public Request {
            Objects.requireNonNull(principalType, "principalType");
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(action, "action");
            Map<String, List<String>> lower = new LinkedHashMap<>();
            context.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            context = Map.copyOf(lower);
        }

        /**
         * A web-identity request from an OIDC provider with the token's {@code sub} and matched {@code aud}.
         *
         * @param accountId the 12-digit account of the OIDC provider
         * @param issuerHostAndPath the issuer without its scheme
         * @param sub the token's {@code sub}, or null to leave the key out
         * @param aud the matched audience, or null to leave the key out
         * @return the request
         */
        public static Request webIdentity(String accountId, String issuerHostAndPath, String sub, String aud) {
            return webIdentity("aws", accountId, issuerHostAndPath, sub, aud);
        }

        /**
         * As {@link #webIdentity(String, String, String, String)} in a partition ({@code aws}, {@code aws-cn},
         * {@code aws-us-gov}, ...): the role's, since IAM names the OIDC provider in the role's own partition.
         *
         * @param partition the partition, e.g. {@code aws}
         * @param accountId the 12-digit account of the OIDC provider
         * @param issuerHostAndPath the issuer without its scheme
         * @param sub the token's {@code sub}, or null to leave the key out
         * @param aud the matched audience, or null to leave the key out
         * @return the request
         */
        public static Request webIdentity(String partition, String accountId, String issuerHostAndPath, String sub,
                                          String aud) {
            Map<String, List<String>> ctx = new LinkedHashMap<>();
            if (sub != null) {
                ctx.put(issuerHostAndPath + ":sub", List.of(sub));
            }
            if (aud != null) {
                ctx.put(issuerHostAndPath + ":aud", List.of(aud));
            }
            return new Request("Federated", "arn:" + partition + ":iam::" + accountId + ":oidc-provider/" + issuerHostAndPath,
                    "sts:AssumeRoleWithWebIdentity", ctx);
        }
    }

    /**
     * The outcome and, per statement, why it did or did not apply.
     *
     * @param allowed whether the policy allows the request
     * @param reasons per statement, why it did or did not apply
     */
    public record Decision(boolean allowed, List<String> reasons) {
    }

    private record Condition(String operator, String key, List<String> values) {
        boolean matches(Map<String, List<String>> ctx, List<String> why) {
            String op = operator;
            boolean forAny = false;
            boolean forAll = false;
            if (op.regionMatches(true, 0, "ForAnyValue:", 0, 12)) {
                op = op.substring(12);
                forAny = true;
            } else if (op.regionMatches(true, 0, "ForAllValues:", 0, 13)) {
                op = op.substring(13);
                forAll = true;
            }
            boolean ifExists = op.endsWith("IfExists");
            if (ifExists) {
                op = op.substring(0, op.length() - "IfExists".length());
            }
            boolean negated;
            boolean ignoreCase = false;
            boolean like = false;
            switch (op) {
                case "StringEquals" -> negated = false;
                case "StringNotEquals" -> negated = true;
                case "StringEqualsIgnoreCase" -> { negated = false; ignoreCase = true; }
                case "StringNotEqualsIgnoreCase" -> { negated = true; ignoreCase = true; }
                case "StringLike" -> { negated = false; like = true; }
                case "StringNotLike" -> { negated = true; like = true; }
                default -> {
                    why.add("condition operator " + operator + " is not supported by this evaluator, so it does not match");
                    return false;
                }
            }
            List<String> actual = ctx.get(key.toLowerCase(Locale.ROOT));
            if (actual == null || actual.isEmpty()) {
                if (ifExists || negated || forAll) {
                    return true;
                }
                why.add(operator + " on " + key + ": the request has no value for this key");
                return false;
            }
            boolean ic = ignoreCase;
            boolean lk = like;
            java.util.function.Predicate<String> listed = a -> anyValue(a, ic, lk);
            java.util.function.Predicate<String> test = negated ? listed.negate() : listed;
            // Plain negated operators on a multi-valued key require every value to be outside the list.
            boolean result = forAll || (negated && !forAny) ? actual.stream().allMatch(test) : actual.stream().anyMatch(test);
            if (!result) {
                why.add(operator + " on " + key + " failed: the request has " + actual + ", the policy "
                        + (negated ? "excludes " : "requires ") + (values.size() == 1 ? values.get(0) : "one of " + values));
            }
            return result;
        }

        private boolean anyValue(String actual, boolean ignoreCase, boolean like) {
            for (String v : values) {
                if (like ? glob(v, actual) : ignoreCase ? v.equalsIgnoreCase(actual) : v.equals(actual)) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Statement(int index, String sid, boolean deny, Map<String, List<String>> principals,
                             List<String> actions, List<Condition> conditions) {
        static Statement of(int index, Map<?, ?> m) {
            Object effect = m.get("Effect");
            if (!"Allow".equals(effect) && !"Deny".equals(effect)) {
                throw new IllegalArgumentException("Statement " + index + ": Effect must be Allow or Deny, not " + effect);
            }
            Map<String, List<String>> principals = new LinkedHashMap<>();
            Object p = m.get("Principal");
            if ("*".equals(p)) {
                principals.put("*", List.of("*"));
            } else if (p instanceof Map<?, ?> pm) {
                pm.forEach((k, v) -> principals.put(String.valueOf(k), strings(v)));
            } else {
                throw new IllegalArgumentException("Statement " + index + ": a trust policy needs a Principal");
            }
            Object a = m.get("Action");
            if (a == null) {
                throw new IllegalArgumentException("Statement " + index + ": Action is missing");
            }
            List<Condition> conditions = new ArrayList<>();
            Object c = m.get("Condition");
            if (c != null) {
                if (!(c instanceof Map<?, ?> cm)) {
                    throw new IllegalArgumentException("Statement " + index + ": Condition must be an object");
                }
                cm.forEach((op, block) -> {
                    if (!(block instanceof Map<?, ?> bm)) {
                        throw new IllegalArgumentException("Statement " + index + ": Condition " + op + " must be an object");
                    }
                    bm.forEach((k, v) -> conditions.add(new Condition(String.valueOf(op), String.valueOf(k), strings(v))));
                });
            }
            Object sid = m.get("Sid");
            return new Statement(index, sid == null ? null : String.valueOf(sid), "Deny".equals(effect),
                    principals, strings(a), List.copyOf(conditions));
        }

        String label() {
            return sid != null ? "statement " + sid : "statement " + index;
        }

        boolean matches(Request r, List<String> why) {
            List<String> wanted = principals.containsKey("*") ? List.of("*") : principals.get(r.principalType());
            boolean principalOk = wanted != null && wanted.stream().anyMatch(w -> w.equals("*") || w.equals(r.principal())
                    || ("AWS".equals(r.principalType()) && accountRootMatches(w, r.principal())));
            if (!principalOk) {
                String hint = wanted == null ? "" : wanted.stream().filter(w -> samePrincipalOtherPartition(w, r.principal()))
                        .findFirst().map(w -> " (the policy names it in partition " + w.split(":")[1] + ", but the role"
                                + " is in partition " + r.principal().split(":")[1] + ": IAM only matches "
                                + r.principal() + ")").orElse("");
                why.add("principal " + r.principalType() + " " + r.principal() + " is not among " + principals + hint);
                return false;
            }
            if (actions.stream().noneMatch(a -> globIgnoreCase(a, r.action()))) {
                why.add("action " + r.action() + " is not among " + actions);
                return false;
            }
            boolean ok = true;
            for (Condition c : conditions) {
                ok &= c.matches(r.context(), why);
            }
            return ok;
        }

        /** The same ARN but for its partition field: a policy copied from another partition. */
        private static boolean samePrincipalOtherPartition(String policyPrincipal, String requester) {
            String[] a = policyPrincipal.split(":", 3);
            String[] b = requester.split(":", 3);
            return a.length == 3 && b.length == 3 && a[0].equals("arn") && b[0].equals("arn") && !a[1].equals(b[1])
                    && a[2].equals(b[2]);
        }

        private static boolean accountRootMatches(String policyPrincipal, String requester) {
            // "arn:aws:iam::123456789012:root" or a bare account ID trusts every principal of that account.
            String account = policyPrincipal.matches("\\d{12}") ? policyPrincipal
                    : policyPrincipal.endsWith(":root") ? policyPrincipal.split(":")[4] : null;
            return account != null && requester.split(":").length > 4 && requester.split(":")[4].equals(account);
        }
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        for (Object o : asList(v)) {
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    private static List<?> asList(Object v) {
        return v instanceof List<?> l ? l : List.of(v);
    }

    private static boolean globIgnoreCase(String pattern, String s) {
        return glob(pattern.toLowerCase(Locale.ROOT), s.toLowerCase(Locale.ROOT));
    }

    /** IAM's wildcard match: {@code *} any run (also empty), {@code ?} exactly one character. */
    static boolean glob(String pattern, String s) {
        int p = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
                p++;
                i++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
