package dev.irsa.spring;

import dev.irsa.sdk.IrsaCredentialsProvider;
import org.springframework.beans.factory.DisposableBean;

/**
 * Holds a share of the application provider's session for the life of the context. The AWS SDK closes a
 * client's credentials provider when the client closes, so an application that builds and closes a client on the
 * {@link IrsaCredentialsProvider} bean would otherwise end the session (and its refreshes) with it; with this hold the
 * bean's next use joins the running session at once, and health and metrics keep reporting it. Released when the
 * context closes.
 */
final class IrsaSessionKeeper implements DisposableBean {
    private final IrsaCredentialsProvider hold;

    IrsaSessionKeeper(IrsaCredentialsProvider provider) {
        this.hold = provider.toBuilder().eagerStart(false).build();
    }

    @Override
    public void destroy() {
        hold.close();
    }
}
