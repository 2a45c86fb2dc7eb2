package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loads the adapter in a class loader without the AWS SDK's sts module: a top complaint about the SDK. */
class MissingStsModuleTest {
    @Test
    void saysWhichDependencyToAdd() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.matches(".*[/\\\\]sts-[0-9.]+\\.jar")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader withoutSts = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> provider = withoutSts.loadClass("dev.irsa.sdk.IrsaCredentialsProvider");
            Object p = provider.getMethod("create").invoke(null);
            try {
                provider.getMethod("resolveCredentials").invoke(p);
                throw new AssertionError("expected a failure");
            } catch (InvocationTargetException e) {
                assertThat(e.getCause().getClass().getName()).isEqualTo("software.amazon.awssdk.core.exception.SdkClientException");
                assertThat(e.getCause().getMessage()).contains("software.amazon.awssdk:sts").contains("class path");
            }
        }
    }
}
