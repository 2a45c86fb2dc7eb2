package dev.irsa.testkit.s3;

import java.time.Instant;

/**
 * One request an {@link S3Emulator} answered. Holds no secret, session token or signature.
 *
 * @param at when it was answered, by the emulator's clock
 * @param operation the S3 operation ({@code PutObject}, {@code ListBuckets}, ...), or {@code Unknown}
 * @param bucket the bucket in the path, or null
 * @param key the object key (decoded), or null
 * @param accessKeyId the access key ID the request was signed with, or null when it named none
 * @param contentSha256 the {@code x-amz-content-sha256} it sent (a hex hash of the body, {@code UNSIGNED-PAYLOAD}
 *                      or a {@code STREAMING-...} mode), or null when it sent none: how the client signed the payload
 * @param status the HTTP status answered
 * @param errorCode S3's error code ({@code SignatureDoesNotMatch}, {@code NoSuchKey}, ...), or null when it succeeded
 * @param message the error's message as answered (for {@code InternalError}, the exception's class and message), or
 *                null when it succeeded
 * @since 0.1.0
 */
public record S3Request(Instant at, String operation, String bucket, String key, String accessKeyId, String contentSha256, int status,
                        String errorCode, String message) {
    /** {@return whether the signature was accepted (the operation itself may still have failed, as NoSuchKey)} */
    public boolean authenticated() {
        return errorCode == null || !S3Emulator.AUTH_ERRORS.contains(errorCode);
    }

    /** {@return whether the request succeeded} */
    public boolean accepted() {
        return errorCode == null;
    }
}
