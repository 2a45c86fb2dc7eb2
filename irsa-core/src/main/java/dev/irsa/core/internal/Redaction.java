package dev.irsa.core.internal;

import java.util.regex.Pattern;

/** Removes bearer material from text that may reach logs or exception messages. */
public final class Redaction {
    private static final Pattern JWT = Pattern.compile("eyJ[\\w-]{2,}\\.[\\w-]{2,}\\.[\\w-]*");

    private Redaction() {}

    /** Replaces {@code secret} (if given) and anything shaped like a JWT with a placeholder. */
    public static String scrub(String text, String secret) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (secret != null && secret.length() >= 4) {
            out = out.replace(secret, "<redacted-token>");
        }
        return JWT.matcher(out).replaceAll("<redacted-jwt>");
    }
}
