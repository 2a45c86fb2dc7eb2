package dev.irsa.sdk;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Records on which thread each SDK client of these tests is built: the SDK instantiates the global interceptors
 * listed in {@code software/amazon/awssdk/global/handlers/execution.interceptors} once per client it builds. Does
 * nothing to requests.
 */
public final class ClientBuilds implements ExecutionInterceptor {
    private static final List<String> THREADS = new CopyOnWriteArrayList<>();

    public ClientBuilds() {
        THREADS.add(Thread.currentThread().getName());
    }

    static void clear() {
        THREADS.clear();
    }

    /** The names of the threads that built a client since {@link #clear()}, in order. */
    static List<String> threads() {
        return List.copyOf(THREADS);
    }
}
