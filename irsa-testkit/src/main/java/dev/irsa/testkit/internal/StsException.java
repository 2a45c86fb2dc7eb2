package dev.irsa.testkit.internal;

/** An STS error answer: the HTTP status, the error {@code Type}, {@code Code} and {@code Message}. */
public final class StsException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;

    public StsException(int status, String type, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public static StsException sender(int status, String code, String message) {
        return new StsException(status, "Sender", code, message);
    }

    public static StsException validation(String message) {
        return sender(400, "ValidationError", message);
    }

    public static StsException accessDenied(String action) {
        return sender(403, "AccessDenied", "Not authorized to perform " + action);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }
}
