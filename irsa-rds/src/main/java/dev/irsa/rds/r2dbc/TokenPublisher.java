package dev.irsa.rds.r2dbc;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A cold publisher of one value per subscription, fetched when it is first requested (Reactive Streams 1.0: a
 * non-positive request is an error, signals after cancel are not sent, an exception from the supplier is
 * {@code onError}).
 */
final class TokenPublisher implements Publisher<String> {
    private final Supplier<CharSequence> value;

    TokenPublisher(Supplier<CharSequence> value) {
        this.value = value;
    }

    @Override
    public void subscribe(Subscriber<? super String> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        AtomicBoolean done = new AtomicBoolean();
        subscriber.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                    }
                    return;
                }
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                String v;
                try {
                    v = value.get().toString();
                } catch (RuntimeException e) {
                    subscriber.onError(e);
                    return;
                }
                subscriber.onNext(v);
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
    }

    @Override
    public String toString() {
        return "RdsIamR2dbc.passwordPublisher[" + value + "]";
    }
}
