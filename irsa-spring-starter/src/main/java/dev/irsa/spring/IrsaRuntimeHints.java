package dev.irsa.spring;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What the starter, its support jars and the SDK adapter load by name or reflection, for Spring AOT and native
 * images: the bootstrap factory irsa-spring-common instantiates by name, the support jars' classes listed in
 * {@code spring.factories} (both lines: each is inert on the other), the STS client class the adapter probes
 * with {@code Class.forName}, and both lines' {@code BootstrapRegistry}, which irsa-spring-common probes to tell the
 * lines apart. Registered in {@code META-INF/spring/aot.factories}.
 */
final class IrsaRuntimeHints implements RuntimeHintsRegistrar {
    static final String[] INSTANTIATED_BY_NAME = {
            "dev.irsa.spring.IrsaBootstrapCredentials",
            "dev.irsa.spring.boot4.IrsaBootstrapRegistryInitializer",
            "dev.irsa.spring.boot4.ConfigDataBinderTracker",
            "dev.irsa.spring.boot4.FailedStartRelease",
            "dev.irsa.spring.boot3.IrsaBootstrapRegistryInitializer",
            "dev.irsa.spring.boot3.ConfigDataBinderTracker",
            "dev.irsa.spring.boot3.FailedStartRelease"};
    static final String STS_CLIENT = "software.amazon.awssdk.services.sts.StsClient";
    /** Probed for presence by irsa-spring-common's {@code ConfigDataBinderTrackerBase}: which Boot line runs. */
    static final String[] BOOT_LINE_PROBES = {
            "org.springframework.boot.BootstrapRegistry",
            "org.springframework.boot.bootstrap.BootstrapRegistry"};

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        for (String type : INSTANTIATED_BY_NAME) {
            // "if present" = loadable: the other Boot line's classes are not (their interfaces are missing) and
            // are never instantiated on this line.
            hints.reflection().registerTypeIfPresent(classLoader, type, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
        }
        // Only probed for presence (the adapter's "is the sts module there?" check): the type, no members.
        hints.reflection().registerType(TypeReference.of(STS_CLIENT));
        for (String type : BOOT_LINE_PROBES) {
            hints.reflection().registerType(TypeReference.of(type));
        }
    }
}
