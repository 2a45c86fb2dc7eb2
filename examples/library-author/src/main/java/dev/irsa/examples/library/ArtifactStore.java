package dev.irsa.examples.library;

import java.time.Instant;

/**
 * A library's own API. Its users never see an AWS type: they hand the library a {@link CredentialSource}, and the
 * library decides how to call AWS. This is how a library author can support IRSA without forcing the AWS SDK's
 * credential types (or Spring) on anyone.
 */
public interface ArtifactStore extends AutoCloseable {
    /** Who the store acts as, e.g. for an audit log. */
    String principal();

    @Override
    void close();

    /** Where a library gets credentials from; the library's own abstraction. */
    interface CredentialSource extends AutoCloseable {
        Credentials current();

        @Override
        void close();
    }

    /** The library's credential value type. */
    record Credentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "Credentials[" + accessKeyId.substring(0, 4) + "…, expires " + expiresAt + "]";
        }
    }
}
