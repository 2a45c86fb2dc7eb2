package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionHolds#install} is public (IrsaSession is in another package) but only IrsaSession's initialiser may
 * install the bridge: a call from anywhere else, before IrsaSession is initialised, must neither take its place nor
 * leave IrsaSession unusable. Run in a class loader of its own, so that this JVM's IrsaSession is not initialised yet
 * there, as in an application that calls it first.
 */
class SessionHoldsInstallTest {
    @Test
    void anInstallFromOutsideIsRefusedAndIrsaSessionStaysUsable() throws Exception {
        try (FreshCore loader = new FreshCore()) {
            Class<?> holds = loader.loadClass(SessionHolds.class.getName());
            Class<?> opener = loader.loadClass(SessionHolds.Opener.class.getName());
            Object impostor = Proxy.newProxyInstance(loader, new Class<?>[] {opener}, (p, m, a) -> {
                throw new AssertionError("the impostor's opener was used");
            });
            Method install = holds.getMethod("install", MethodHandles.Lookup.class, opener);

            assertThatThrownBy(() -> invoke(install, impostor)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("IrsaSession");

            Class<?> session = Class.forName("dev.irsa.core.IrsaSession", true, loader); // initialised: not broken
            assertThat(session.getClassLoader()).isSameAs(loader);
            // its own opener is the one installed: a second install, even after it, is refused
            assertThatThrownBy(() -> invoke(install, impostor)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anInstallFromOutsideAfterIrsaSessionIsRefused() throws Exception {
        try (FreshCore loader = new FreshCore()) {
            Class<?> session = Class.forName("dev.irsa.core.IrsaSession", true, loader);
            Class<?> opener = loader.loadClass(SessionHolds.Opener.class.getName());
            Method install = loader.loadClass(SessionHolds.class.getName())
                    .getMethod("install", MethodHandles.Lookup.class, opener);
            Object impostor = Proxy.newProxyInstance(loader, new Class<?>[] {opener}, (p, m, a) -> null);
            assertThatThrownBy(() -> invoke(install, impostor)).isInstanceOf(IllegalStateException.class);
            // a lookup on IrsaSession taken from outside has no private access: not IrsaSession's own
            MethodHandles.Lookup outside = MethodHandles.lookup().in(session);
            assertThatThrownBy(() -> {
                try {
                    install.invoke(null, outside, impostor);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("IrsaSession's initialiser only");
        }
    }

    private static void invoke(Method install, Object opener) throws Throwable {
        try {
            install.invoke(null, MethodHandles.lookup(), opener);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Loads irsa-core's own classes afresh (child first); everything else from the test's class loader. */
    private static final class FreshCore extends ClassLoader implements AutoCloseable {
        FreshCore() {
            super("fresh-irsa-core", SessionHoldsInstallTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.irsa.core.") || name.equals(SessionHoldsInstallTest.class.getName())
                    || name.startsWith(FreshCore.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String resource = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        public void close() {
        }
    }
}
