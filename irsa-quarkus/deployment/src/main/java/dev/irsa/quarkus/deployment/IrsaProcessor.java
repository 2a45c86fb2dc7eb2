package dev.irsa.quarkus.deployment;

import dev.irsa.core.RefreshListener;
import dev.irsa.quarkus.internal.IrsaMeters;
import dev.irsa.quarkus.internal.IrsaRdsCredentials;
import dev.irsa.quarkus.internal.IrsaReadinessCheck;
import dev.irsa.quarkus.internal.IrsaRecorder;
import dev.irsa.quarkus.internal.IrsaWarmUp;
import dev.irsa.quarkus.internal.QuarkiverseCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.UnremovableBeanBuildItem;
import io.quarkus.bootstrap.classloading.QuarkusClassLoader;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.ConfigurationBuildItem;
import io.quarkus.deployment.builditem.ExtensionSslNativeSupportBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigBuilderBuildItem;
import io.quarkus.deployment.builditem.ShutdownContextBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import io.smallrye.config.ConfigMappings;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The build steps of the IRSA extension: the feature, the {@code irsa} {@link AwsCredentialsProvider} bean, the
 * warm-up, and the native-image registrations.
 */
class IrsaProcessor {
    /** The feature's name, also the bean's name ({@code custom-provider.name} of Quarkiverse's AWS clients). */
    static final String FEATURE = "irsa";
    /** Probed with {@code Class.forName} by the SDK adapter ("is the sts module there?"): the type, no members. */
    static final String STS_CLIENT = "software.amazon.awssdk.services.sts.StsClient";
    /** irsa-rds's token source, present when the application has irsa-rds. */
    static final String RDS_AUTH_TOKENS = "dev.irsa.rds.RdsAuthTokens";
    /** Holds a random per-process suffix for session names: must not be fixed in the image. */
    static final String SESSION_NAMES = "dev.irsa.core.internal.SessionNames";
    /** What each Quarkiverse Amazon client's run-time configuration root extends ({@code quarkus-amazon-common}). */
    static final String QUARKIVERSE_CLIENT_CONFIG = "io.quarkiverse.amazon.common.runtime.HasAmazonClientRuntimeConfig";

    /**
     * The feature, and SSL in a native image: the library calls STS and the Pod Identity agent over https with the
     * JDK's {@code HttpURLConnection}, which needs it (as Quarkus's OIDC client, Vault and REST client extensions
     * ask for it).
     */
    @BuildStep
    FeatureBuildItem feature(BuildProducer<ExtensionSslNativeSupportBuildItem> ssl) {
        ssl.produce(new ExtensionSslNativeSupportBuildItem(FEATURE));
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * The provider bean: {@code @Named("irsa")}, and the {@code @Default} {@link AwsCredentialsProvider} unless the
     * application has its own (a default bean: an application's producer wins, {@code @Named("irsa")} still finds
     * this one). A singleton created at startup (so a configuration error, or {@code eager-start} without
     * credentials, fails the start) from the runtime configuration, unless {@code quarkus.irsa.active=false} makes it
     * inactive; its session is released at shutdown, after the application's beans are destroyed. Not a RUNTIME_INIT
     * synthetic bean: Quarkiverse's Amazon clients look it up by name during RUNTIME_INIT (see {@link IrsaRecorder}).
     */
    @BuildStep(onlyIf = Enabled.class)
    @Record(ExecutionTime.STATIC_INIT)
    SyntheticBeanBuildItem provider(IrsaRecorder recorder, ShutdownContextBuildItem shutdown) {
        return SyntheticBeanBuildItem.configure(IrsaCredentialsProvider.class)
                .types(AwsCredentialsProvider.class, IrsaCredentialsProvider.class)
                .scope(Singleton.class)
                .named(FEATURE)
                .addQualifier(Default.class)
                .defaultBean()
                .unremovable()
                .startup()
                .checkActive(recorder.active())
                .createWith(recorder.provider(shutdown))
                .done();
    }

    @BuildStep(onlyIf = Enabled.class)
    void beans(BuildProducer<AdditionalBeanBuildItem> beans, BuildProducer<UnremovableBeanBuildItem> unremovable) {
        beans.produce(AdditionalBeanBuildItem.unremovableOf(IrsaWarmUp.class));
        // the application's refresh listeners are looked up when the provider is created, not injected
        unremovable.produce(UnremovableBeanBuildItem.beanTypes(RefreshListener.class));
    }

    /**
     * The {@code irsa} readiness check, only when the application has SmallRye Health (never in liveness), unless
     * {@code quarkus.irsa.health.enabled=false}.
     */
    @BuildStep(onlyIf = Enabled.class)
    HealthBuildItem health(Capabilities capabilities, IrsaBuildTimeConfig config) {
        if (!capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
            return null;
        }
        return new HealthBuildItem(IrsaReadinessCheck.class.getName(), config.health().enabled());
    }

    /**
     * The {@code irsa.credentials.*} meters, only when the application has Micrometer, unless
     * {@code quarkus.irsa.metrics.enabled=false}: a {@code MeterBinder} bean, which Micrometer's extension binds.
     */
    @BuildStep(onlyIf = Enabled.class)
    AdditionalBeanBuildItem metrics(Capabilities capabilities, IrsaBuildTimeConfig config) {
        // io.quarkus.metrics is what quarkus-micrometer provides; Micrometer's API tells it from other metrics
        if (!capabilities.isPresent(Capability.METRICS) || !config.metrics().enabled()
                || !QuarkusClassLoader.isClassPresentAtRuntime("io.micrometer.core.instrument.binder.MeterBinder")) {
            return null;
        }
        return AdditionalBeanBuildItem.unremovableOf(IrsaMeters.class);
    }

    /**
     * The {@code irsa-rds} Quarkus Credentials Provider, when the application has irsa-rds and Quarkus's
     * credentials SPI (which its data sources bring).
     */
    @BuildStep(onlyIf = Enabled.class)
    AdditionalBeanBuildItem rdsCredentials() {
        if (!QuarkusClassLoader.isClassPresentAtRuntime(RDS_AUTH_TOKENS)
                || !QuarkusClassLoader.isClassPresentAtRuntime("io.quarkus.credentials.CredentialsProvider")) {
            return null;
        }
        return AdditionalBeanBuildItem.unremovableOf(IrsaRdsCredentials.class);
    }

    /**
     * Quarkiverse Amazon Services clients (quarkus-amazon-s3, -sqs, ...) use the {@code irsa} bean without a property
     * of the user's, where IRSA or Pod Identity is configured: {@link QuarkiverseCredentials} gives their
     * {@code <root>.aws.credentials.type=custom} and {@code custom-provider.name=irsa} in place of their own default, by
     * a configuration interceptor deciding at run time. Their configuration roots are the run-time config mappings that extend their
     * {@code HasAmazonClientRuntimeConfig} (named, not linked: Quarkiverse is not a dependency of this extension).
     */
    @BuildStep(onlyIf = Enabled.class)
    @Record(ExecutionTime.STATIC_INIT)
    void quarkiverseClients(ConfigurationBuildItem config, IrsaRecorder recorder,
                            BuildProducer<RunTimeConfigBuilderBuildItem> configBuilders) {
        List<ConfigMappings.ConfigClass> roots = config.getReadResult().getRunTimeMappings().stream()
                .filter(m -> extendsInterface(m.getType(), QUARKIVERSE_CLIENT_CONFIG))
                .toList();
        if (roots.isEmpty()) {
            return;
        }
        recorder.quarkiverseClients(QuarkiverseCredentials.declaredDefaults(roots));
        configBuilders.produce(new RunTimeConfigBuilderBuildItem(QuarkiverseCredentials.class));
    }

    private static boolean extendsInterface(Class<?> type, String name) {
        for (Class<?> i : type.getInterfaces()) {
            if (i.getName().equals(name) || extendsInterface(i, name)) {
                return true;
            }
        }
        return false;
    }

    /** What the library loads by name, and state that must be made when the image runs, not when it is built. */
    @BuildStep
    void nativeImage(BuildProducer<ReflectiveClassBuildItem> reflective,
                     BuildProducer<RuntimeInitializedClassBuildItem> runtimeInit) {
        reflective.produce(ReflectiveClassBuildItem.builder(STS_CLIENT).constructors(false).reason(
                "the SDK adapter checks that the sts module is present with Class.forName").build());
        // IrsaCredentialsProvider.create() / create(Map): what the SDK's profile files and Hadoop/Iceberg call by name
        reflective.produce(ReflectiveClassBuildItem.builder(IrsaCredentialsProvider.class).methods().reason(
                "loaded by name by AWS SDK profiles, Hadoop S3A and Iceberg").build());
        runtimeInit.produce(new RuntimeInitializedClassBuildItem(SESSION_NAMES));
    }

    /** {@code quarkus.irsa.enabled}. */
    static final class Enabled implements BooleanSupplier {
        private final IrsaBuildTimeConfig config;

        Enabled(IrsaBuildTimeConfig config) {
            this.config = config;
        }

        @Override
        public boolean getAsBoolean() {
            return config.enabled();
        }
    }
}
