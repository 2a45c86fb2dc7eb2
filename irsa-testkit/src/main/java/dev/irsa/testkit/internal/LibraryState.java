package dev.irsa.testkit.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Resets the process-wide state irsa-java keeps (kept credentials, shared sessions), when irsa-core is on the class
 * path, through its public {@code dev.irsa.core.TestIsolation.reset()}: by reflection, because the test kit depends on
 * nothing of ours (it also tests other clients). Without irsa-core, nothing to reset.
 */
public final class LibraryState {
    static final String CLASS = "dev.irsa.core.TestIsolation";
    static final String METHOD = "reset";

    private LibraryState() {
    }

    /** Calls {@code dev.irsa.core.TestIsolation.reset()} if that class is present. */
    public static void reset() {
        Method reset = find();
        if (reset == null) {
            return;
        }
        try {
            reset.invoke(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call " + CLASS + "." + METHOD + "(): " + e.getMessage(), e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
    }

    private static Method find() {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                LibraryState.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            Class<?> c;
            try {
                c = Class.forName(CLASS, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            try {
                return c.getMethod(METHOD);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(CLASS + " has no public static " + METHOD + "(): irsa-core and"
                        + " irsa-testkit of different versions?", e);
            }
        }
        return null;
    }
}
