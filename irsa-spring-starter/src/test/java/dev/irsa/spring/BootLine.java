package dev.irsa.spring;

import java.lang.reflect.Method;
import java.util.Map;
import org.springframework.util.ClassUtils;

/**
 * The few Spring Boot types that moved between 3.5 and 4.0, reached by name so one test suite runs on both lines.
 */
final class BootLine {
    static final boolean BOOT4 = ClassUtils.isPresent("org.springframework.boot.bootstrap.BootstrapRegistry", null);

    private BootLine() {}

    static String name() {
        return BOOT4 ? "Spring Boot 4" : "Spring Boot 3";
    }

    static String healthIndicatorClass() {
        return BOOT4 ? "org.springframework.boot.health.contributor.HealthIndicator"
                : "org.springframework.boot.actuate.health.HealthIndicator";
    }

    /** Calls {@code health()} on a health indicator: returns [status code, details]. */
    static Object[] health(Object indicator) throws Exception {
        Object health = indicator.getClass().getMethod("health").invoke(indicator);
        Object status = health.getClass().getMethod("getStatus").invoke(health);
        String code = (String) status.getClass().getMethod("getCode").invoke(status);
        Map<?, ?> details = (Map<?, ?>) health.getClass().getMethod("getDetails").invoke(health);
        return new Object[] {code, details};
    }

    /** A new DefaultBootstrapContext of this line. */
    static Object bootstrapContext() throws Exception {
        String cls = BOOT4 ? "org.springframework.boot.bootstrap.DefaultBootstrapContext" : "org.springframework.boot.DefaultBootstrapContext";
        return Class.forName(cls).getConstructor().newInstance();
    }

    /** Runs this line's IRSA bootstrap initializer (with the given settings) against a bootstrap context. */
    static void initialize(Object bootstrapContext, dev.irsa.core.SettingsSource settings) throws Exception {
        String cls = BOOT4 ? "dev.irsa.spring.boot4.IrsaBootstrapRegistryInitializer" : "dev.irsa.spring.boot3.IrsaBootstrapRegistryInitializer";
        var ctor = Class.forName(cls).getDeclaredConstructor(dev.irsa.core.SettingsSource.class);
        ctor.setAccessible(true);
        Object initializer = ctor.newInstance(settings);
        for (Method m : initializer.getClass().getMethods()) {
            if (m.getName().equals("initialize")) {
                m.invoke(initializer, bootstrapContext);
                return;
            }
        }
        throw new AssertionError("no initialize method");
    }

    static boolean isRegistered(Object bootstrapContext, Class<?> type) throws Exception {
        return (boolean) bootstrapContext.getClass().getMethod("isRegistered", Class.class).invoke(bootstrapContext, type);
    }

    static Object get(Object bootstrapContext, Class<?> type) throws Exception {
        return bootstrapContext.getClass().getMethod("get", Class.class).invoke(bootstrapContext, type);
    }
}
