package dev.irsa.rds.r2dbc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A cold publisher of one value per subscription, asked for when it is first requested and signalled when its future
 * completes: at once, on the requesting thread, when it is already complete; otherwise on the thread that completes it
 * (Reactive Streams 1.0: a non-positive request is an error, signals after cancel are not sent, a failure is
 * {@code onError}).
 */
final class TokenPublisher implements Publisher<String> {
    private final Supplier<CompletableFuture<String>> value;
    private final String name;

    TokenPublisher(Supplier<CompletableFuture<String>> value, String name) {
        this.value = value;
        this.name = name;
    }

    @Override
    public void subscribe(Subscriber<? super String> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        AtomicBoolean requested = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<?>[] pending = new CompletableFuture<?>[1];
        subscriber.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                    }
                    return;
                }
                if (done.get() || !requested.compareAndSet(false, true)) {
                    return;
                }
                CompletableFuture<String> f;
                try {
                    f = value.get();
                } catch (RuntimeException e) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onError(e);
                    }
                    return;
                }
                pending[0] = f;
                f.whenComplete((v, e) -> {
                    if (!done.compareAndSet(false, true)) {
                        return; // cancelled
                    }
                    if (e != null) {
                        subscriber.onError(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                    } else {
                        subscriber.onNext(v);
                        subscriber.onComplete();
                    }
                });
            }

            @Override
            public void cancel() {
                done.set(true);
                CompletableFuture<?> f = pending[0];
                if (f != null) {
                    f.cancel(false); // a token not yet fetched is not fetched for nobody
                }
            }
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
