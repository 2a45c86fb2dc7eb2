package dev.irsa.core.internal;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.WebIdentityToken;

/** The outcome of one successful refresh: the credentials, the token's claims, and how many STS calls it took. */
public record ExchangeResult(IrsaCredentials credentials, WebIdentityToken token, int stsCalls) {
}
