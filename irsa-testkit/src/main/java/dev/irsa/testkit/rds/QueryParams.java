package dev.irsa.testkit.rds;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The first value of each query parameter, percent-decoded ({@code +} kept as a plus, as SigV4 clients send it). */
final class QueryParams {
    private QueryParams() {}

    /** The names that occur more than once, in order of their second occurrence. */
    static java.util.List<String> repeated(String rawQuery) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.List<String> twice = new java.util.ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (!seen.add(name) && !twice.contains(name)) {
                twice.add(name);
            }
        }
        return twice;
    }

    static Map<String, String> parse(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
