package dev.irsa.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The projected web identity token file. Every {@link #read()} opens the file afresh (the kubelet rotates it by
 * an atomic symlink swap; the token is never cached), tolerates the brief moment in which a reader racing the
 * swap's cleanup finds it missing or empty by re-reading for up to {@code retryWindow}, and refuses files
 * larger than STS accepts (20,000 characters). Thread-safe; {@code read()} blocks for file I/O and, on a
 * missing or empty file, for at most the retry window.
 * @since 0.1.0
 */
public final class TokenFile {
    /** STS's upper bound on {@code WebIdentityToken}. */
    public static final int MAX_LENGTH = 20_000;
    private static final long RETRY_STEP_MILLIS = 50;
    /** Where the EKS webhook mounts the token, named in advice. */
    private static final String EKS_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    private final Path path;
    private final Duration retryWindow;
    /** How messages name the file, the variable that sets it, the volume, the usual path and why it may be missing. */
    private final Wording wording;

    private record Wording(String what, String variable, String volume, String usualPath, String missingAdvice) {
    }

    private static final Wording WEB_IDENTITY = new Wording("web identity token file", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "aws-iam-token", EKS_TOKEN_FILE, "that the pod's ServiceAccount has the eks.amazonaws.com/role-arn"
            + " annotation, and that the pod was created after the annotation was added (the EKS webhook only changes"
            + " new pods)");
    private static final Wording POD_IDENTITY = new Wording("EKS Pod Identity token file",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "eks-pod-identity-token",
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token", "that the pod's"
            + " ServiceAccount has a Pod Identity association, and that the pod was created after the association"
            + " (EKS only changes new pods)");

    /**
     * A web identity (IRSA) token file.
     *
     * @param path the token file
     * @param retryWindow how long a missing or empty file is re-read before {@link #read()} fails
     */
    public TokenFile(Path path, Duration retryWindow) {
        this(path, retryWindow, WEB_IDENTITY);
    }

    private TokenFile(Path path, Duration retryWindow, Wording wording) {
        this.path = Objects.requireNonNull(path, "path");
        this.retryWindow = Objects.requireNonNull(retryWindow, "retryWindow");
        this.wording = wording;
    }

    /**
     * The EKS Pod Identity token file: the same reading, messages that name Pod Identity's variable and volume.
     *
     * @param path the token file
     * @param retryWindow how long a missing or empty file is re-read before {@link #read()} fails
     * @return a token file whose messages name EKS Pod Identity
     */
    public static TokenFile podIdentity(Path path, Duration retryWindow) {
        return new TokenFile(path, retryWindow, POD_IDENTITY);
    }

    /** {@return the token file's path} */
    public Path path() {
        return path;
    }

    /**
     * Reads the token.
     *
     * @return the token, with surrounding whitespace stripped
     * @throws IrsaException of kind {@link IrsaException.Kind#TOKEN} naming the file and what to check
     */
    public String read() {
        long deadline = System.nanoTime() + retryWindow.toNanos();
        while (true) {
            String problem;
            try {
                String token = readBounded().strip();
                if (!token.isEmpty()) {
                    return token;
                }
                problem = "empty";
            } catch (NoSuchFileException e) {
                problem = "missing";
            } catch (AccessDeniedException e) {
                throw new IrsaException(IrsaException.Kind.TOKEN, null, "The " + wording.what() + " " + path
                        + " is not readable by this process (permission denied). Run the container with a user that"
                        + " can read it, or set the pod's securityContext.fsGroup.", null);
            } catch (IOException e) {
                throw unreadable(e);
            }
            if (System.nanoTime() >= deadline) {
                throw problem.equals("missing") ? missing() : new IrsaException(IrsaException.Kind.TOKEN, null,
                        "The " + wording.what() + " " + path + " is empty. The kubelet writes it when the pod"
                                + " starts; check the projected volume '" + wording.volume() + "' is mounted.", null);
            }
            sleepQuietly();
        }
    }

    private String readBounded() throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = in.readNBytes(MAX_LENGTH + 1);
            if (buf.length > MAX_LENGTH) {
                throw new IrsaException(IrsaException.Kind.TOKEN, null, "The file " + path + " is larger than "
                        + MAX_LENGTH + " characters, the most STS accepts: it is not a projected service-account token."
                        + " Check " + wording.variable() + ".", null);
            }
            return new String(buf, StandardCharsets.UTF_8);
        }
    }

    /**
     * The claims of a token read from this file, decoded without verifying its signature.
     *
     * @param token the token {@link #read()} returned
     * @return its claims
     * @throws IrsaException of kind {@link IrsaException.Kind#TOKEN} when it is not a JWT, naming this file, the
     *         variable that sets it and the usual path of this kind of token
     */
    public WebIdentityToken decode(String token) {
        return WebIdentityToken.decode(token, wording.what().replace(" file", "") + " in " + path, "Check that "
                + wording.variable() + " points at the projected service-account token (on EKS " + wording.usualPath()
                + ").");
    }

    /** The JDK's reason ("Is a directory", "Not a directory", ...) and what usually causes it. */
    private IrsaException unreadable(IOException e) {
        if (Files.isDirectory(path)) {
            return new IrsaException(IrsaException.Kind.TOKEN, null, "The " + wording.what() + " " + path + " is a"
                    + " directory, not a file. " + wording.variable() + " must name the token inside the projected"
                    + " volume (for example " + wording.usualPath() + "), not the volume's mount point.", null);
        }
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new IrsaException(IrsaException.Kind.TOKEN, null, "Could not read the " + wording.what() + " " + path
                + ": " + reason + ". Check " + wording.variable() + " names the projected token file and that every"
                + " directory on the path exists and is a directory.", e);
    }

    private IrsaException missing() {
        return new IrsaException(IrsaException.Kind.TOKEN, null, "The " + wording.what() + " " + path
                + " does not exist. Check " + wording.variable() + ", " + wording.missingAdvice() + ".", null);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(RETRY_STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IrsaException(IrsaException.Kind.TOKEN, "Interrupted while waiting for the token file");
        }
    }

    @Override
    public String toString() {
        return "TokenFile[" + path + "]";
    }
}
