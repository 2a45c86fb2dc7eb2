package dev.irsa.core;

/**
 * A setting is missing or malformed; the message names the variable or property and the fix.
 *
 * @since 0.1.0
 */
public final class IrsaConfigurationException extends IrsaException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception of kind {@link Kind#CONFIGURATION}.
     *
     * @param message the setting at fault and the fix
     */
    public IrsaConfigurationException(String message) {
        super(Kind.CONFIGURATION, null, message, null);
    }
}
