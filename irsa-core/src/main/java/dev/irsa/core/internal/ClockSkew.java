package dev.irsa.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * This machine's clock against STS's, for one session. STS stamps its expiry on its own clock; the engine compares
 * it with this machine's. A clock far ahead makes one-hour credentials look minutes long (every window scales down
 * and STS is called over and over); a clock far behind makes them look longer than they are.
 *
 * <p>Two signals from STS say what its clock read: its {@code Date} header, and the expiry it gave for the lifetime
 * asked for ({@code DurationSeconds}; STS grants exactly that or refuses). When both put this clock at least
 * {@link #THRESHOLD} away from STS's (the AWS SDK for Java's own signing clock-skew threshold) and agree with each
 * other within {@link #AGREEMENT}, the expiry is moved onto this clock and one WARN per session names the skew. When
 * they disagree (an issuer that grants less than asked, such as a test emulator, or a {@code Date} that is not
 * STS's) neither is trusted and the expiry is taken as it is. The EKS Pod Identity agent gives neither: it runs on
 * this node (its {@code Date} is this node's clock) and does not say what lifetime it was granted. Then, when the
 * credentials look so short that the engine's minimum refresh interval governs them, the one WARN says that this
 * clock is most likely ahead by at least the shortest lifetime AWS issues (15 min, or the lifetime asked for) less
 * what they look. Thread-safe.
 */
final class ClockSkew {
    /** From here on a skew is corrected and reported: the AWS SDK for Java corrects its signing clock from 4 min. */
    static final Duration THRESHOLD = Duration.ofMinutes(4);
    /** How far the two signals may differ and still count as one: second-truncated times and a slow answer. */
    static final Duration AGREEMENT = Duration.ofMinutes(1);
    /** The shortest credentials AWS issues ({@code DurationSeconds} is at least 900). */
    static final Duration SHORTEST_ISSUED = Duration.ofMinutes(15);

    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * The expiry of {@code r}'s credentials on this machine's clock (epoch ms), warning once per session about a skew.
     *
     * @param now this machine's clock when the answer arrived, epoch ms
     * @param log where the warning goes
     * @param issuer what the warning names, e.g. "STS at https://sts.eu-west-1.amazonaws.com"
     * @param floor the minimum refresh interval when the credentials, taken as they are, look so short that it
     *              governs them (served past what this clock says, renewed once per interval); else null
     */
    long localExpiry(ExchangeResult r, long now, Logger log, String issuer, Duration floor) {
        long exp = r.credentials().expiration().toEpochMilli();
        Duration skew = skew(r, now);
        if (skew == null) {
            if (floor != null) {
                warnFloored(r, now, exp, log, issuer, floor);
            } else {
                warnIfMuchShorterThanAsked(r, now, exp, log, issuer);
            }
            return exp;
        }
        if (warned.compareAndSet(false, true)) {
            log.warn("This machine's clock is {} {} {} (by its Date header and the expiry of credentials asked for {}):"
                    + " credential expiry is counted on STS's time meanwhile, but check NTP on the node (chronyc"
                    + " tracking, timedatectl); AWS refuses requests signed more than 5 min off.", describe(skew),
                    skew.isNegative() ? "behind" : "ahead of", issuer, describe(r.requestedLifetime()));
        }
        return exp + skew.toMillis();
    }

    /**
     * Without the issuer's {@code Date} nothing confirms a skew, but credentials that look less than half as long as
     * the lifetime asked for (STS grants exactly that or refuses) most likely mean this clock is ahead: say so once.
     * With a {@code Date} that puts this clock right, shorter credentials are what the issuer granted (the test kit's
     * emulator can): no warning.
     */
    private void warnIfMuchShorterThanAsked(ExchangeResult r, long now, long exp, Logger log, String issuer) {
        Duration asked = r.requestedLifetime();
        if (r.serverTime() != null || asked == null || exp - now >= asked.toMillis() / 2) {
            return;
        }
        if (warned.compareAndSet(false, true)) {
            log.warn("Credentials from {} look {} long by this machine's clock, though {} was asked for: this clock may"
                    + " be ahead of STS's (the answer had no Date header to tell). Check NTP on the node (chronyc"
                    + " tracking, timedatectl); refreshes come as often as the credentials look short meanwhile.",
                    issuer, describe(Duration.ofMillis(Math.max(0, exp - now))), describe(asked));
        }
    }

    /**
     * Credentials that look shorter than the minimum refresh interval allows for, with no skew confirmed. When the
     * issuer's {@code Date} says this clock is right, the issuer really granted that little (a test emulator): say
     * how to turn the floor down. Otherwise this clock is most likely ahead: by at least the lifetime AWS granted (the
     * one asked for, else its shortest) less what they look. Once per session, shared with the other warnings.
     */
    private void warnFloored(ExchangeResult r, long now, long exp, Logger log, String issuer, Duration floor) {
        if (!warned.compareAndSet(false, true)) {
            return;
        }
        long looks = exp - now;
        String seen = looks <= 0 ? "expired on arrival (" + describe(Duration.ofMillis(-looks)) + " ago)"
                : describe(Duration.ofMillis(looks)) + " long";
        if (r.serverTime() != null && Math.abs(now - r.serverTime().toEpochMilli()) < THRESHOLD.toMillis()) {
            log.warn("Credentials from {} look {} by this machine's clock, which the answer's Date header says is right:"
                    + " shorter than the minimum refresh interval ({}). They are served for {} after each exchange,"
                    + " even past their expiry, and renewed no more often. An issuer that grants so little is a test"
                    + " emulator: set RefreshPolicy.minimumRefreshInterval (irsa.refresh.minimum-interval) to zero.",
                    issuer, seen, describe(floor), describe(floor));
            return;
        }
        Duration granted = r.requestedLifetime() != null ? r.requestedLifetime() : SHORTEST_ISSUED;
        Duration ahead = Duration.ofMillis(granted.toMillis() - looks);
        log.warn("Credentials from {} look {} by this machine's clock{}: this node's clock is most likely ahead of"
                + " AWS by at least {} (AWS issued them for {}{}). Check NTP on the node (chronyc tracking,"
                + " timedatectl). Meanwhile they are served for {} after each exchange, even when this clock says they"
                + " are expired (they are valid at AWS), and renewed no more often (the minimum refresh interval).",
                issuer, seen, r.requestedLifetime() != null ? ", though " + describe(granted) + " was asked for" : "",
                atLeast(ahead), r.requestedLifetime() != null ? "" : "at least ", describe(granted),
                describe(floor));
    }

    /** A lower bound, so rounded down: whole minutes from 1 min on, else seconds. */
    static String atLeast(Duration d) {
        Duration t = d.compareTo(Duration.ofMinutes(1)) >= 0 ? Duration.ofMinutes(d.toMinutes())
                : Duration.ofSeconds(Math.max(0, d.toSeconds()));
        return describe(t);
    }

    /** How far this clock is ahead of the issuer's (negative: behind), or null when unknown, small or unconfirmed. */
    static Duration skew(ExchangeResult r, long now) {
        if (r.serverTime() == null || r.requestedLifetime() == null) {
            return null;
        }
        long byDate = now - r.serverTime().toEpochMilli();
        long issuedAt = r.credentials().expiration().toEpochMilli() - r.requestedLifetime().toMillis();
        long byExpiry = now - issuedAt;
        if (Math.abs(byDate) < THRESHOLD.toMillis() || Math.abs(byDate - byExpiry) > AGREEMENT.toMillis()) {
            return null;
        }
        return Duration.ofMillis(byDate);
    }

    /** "57 min", "2 h 5 min", "4 min 30 s": to the nearest minute from 10 min on (the answer took time too). */
    static String describe(Duration skew) {
        Duration d = skew.abs();
        if (d.compareTo(Duration.ofMinutes(10)) >= 0) {
            d = Duration.ofMinutes(d.plusSeconds(30).toMinutes());
        }
        long h = d.toHours();
        long m = d.toMinutesPart();
        long s = d.toSecondsPart();
        java.util.StringJoiner out = new java.util.StringJoiner(" ");
        if (h > 0) {
            out.add(h + " h");
        }
        if (m > 0) {
            out.add(m + " min");
        }
        if (h == 0 && s > 0) {
            out.add(s + " s");
        }
        return out.length() == 0 ? "0 s" : out.toString();
    }

    /** An HTTP {@code Date} header (RFC 1123), or null when absent or not a date. */
    static Instant httpDate(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
