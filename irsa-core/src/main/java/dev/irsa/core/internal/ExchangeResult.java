package dev.irsa.core.internal;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.WebIdentityToken;
import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one successful refresh: the credentials, the token's claims, and how many STS calls it took; and,
 * so that this machine's clock can be checked against the issuer's ({@link ClockSkew}), when the issuer answered by
 * its own clock (its {@code Date} header) and the lifetime that was asked for ({@code DurationSeconds}), each null
 * when unknown.
 */
public record ExchangeResult(IrsaCredentials credentials, WebIdentityToken token, int stsCalls, Instant serverTime,
                             Duration requestedLifetime) {
    /** Without the issuer's time: nothing to check the local clock against. */
    public ExchangeResult(IrsaCredentials credentials, WebIdentityToken token, int stsCalls) {
        this(credentials, token, stsCalls, null, null);
    }
}
