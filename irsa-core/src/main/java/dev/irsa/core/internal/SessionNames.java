package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfigurationException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Role session names: STS's constraint, and the default derived from the pod's host name. */
public final class SessionNames {
    private static final Pattern VALID = Pattern.compile("[\\w+=,.@-]{2,64}");
    /** One suffix per process, so two JVMs in one pod still get distinct sessions in CloudTrail. */
    private static final String PROCESS_SUFFIX = HexFormat.of().formatHex(randomBytes(4));

    private SessionNames() {}

    public static void validate(String name, String source) {
        if (!VALID.matcher(name).matches()) {
            throw new IrsaConfigurationException("Invalid role session name '" + name + "' (" + source + "): STS needs"
                    + " 2–64 characters of letters, digits and + = , . @ _ -"
                    + (name.length() > 64 ? " (it has " + name.length() + ")" : "") + ".");
        }
    }

    /** {@code <sanitised host name>-<per-process suffix>}, within 64 characters. */
    public static String derive(String hostName) {
        String base = hostName == null || hostName.isBlank() ? "irsa-java" : hostName.trim().replaceAll("[^\\w+=,.@-]", "-");
        int room = 64 - 1 - PROCESS_SUFFIX.length();
        if (base.length() > room) {
            base = base.substring(0, room);
        }
        return base + "-" + PROCESS_SUFFIX;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
