package dev.irsa.quarkus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkiverse.amazon.s3.runtime.S3Config;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link QuarkiverseCredentials} on SmallRye Config as Quarkus builds it at run time (sources, factories that extensions
 * such as quarkus-kubernetes-config register on the same builder, the environment's spelling of names), without the
 * machine's own environment: whether Quarkiverse's clients are pointed at the {@code irsa} bean must be decided from
 * the same values the bean reads. The applications of the {@code QuarkiverseS3*Test}s check it end to end.
 */
class QuarkiverseDefaultsTest {
    private static final String TYPE = "quarkus.s3.aws.credentials.type";
    private static final String NAME = "quarkus.s3.aws.credentials.custom-provider.name";
    /** A named client's names, and their mapping's names for any named client. */
    private static final String FILES_TYPE = "quarkus.s3.files.aws.credentials.type";
    private static final String FILES_NAME = "quarkus.s3.files.aws.credentials.custom-provider.name";
    private static final String ANY_TYPE = "quarkus.s3.*.aws.credentials.type";
    private static final String ANY_NAME = "quarkus.s3.*.aws.credentials.custom-provider.name";
    private static final Map<String, String> IRSA = Map.of("quarkus.irsa.role-arn",
            "arn:aws:iam::111122223333:role/app-role", "quarkus.irsa.token-file", "/var/run/secrets/token");

    /** As the build step finds it, from their S3 client's configuration mapping. */
    private static final Map<String, String> DECLARED = QuarkiverseCredentials.declaredDefaults(
            List.of(ConfigMappings.ConfigClass.configClass(S3Config.class, "quarkus.s3")));

    @BeforeAll
    static void roots() {
        QuarkiverseCredentials.clients(DECLARED);
    }

    @AfterAll
    static void noRoots() {
        QuarkiverseCredentials.clients(Map.of());
    }

    private static SmallRyeConfig config(Map<String, String> properties, ConfigSource... more) {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withDefaultValue(TYPE, DECLARED.get(TYPE)) // their @WithDefault
                .withDefaultValue(ANY_TYPE, DECLARED.get(ANY_TYPE)) // the same, for each named client
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources(more);
        return new QuarkiverseCredentials().configBuilder(b).build();
    }

    private static SmallRyeConfig config(Map<String, String> properties, ConfigSourceFactory factory) {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withDefaultValue(TYPE, DECLARED.get(TYPE))
                .withDefaultValue(ANY_TYPE, DECLARED.get(ANY_TYPE))
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources(factory);
        return new QuarkiverseCredentials().configBuilder(b).build();
    }

    private static Map<String, String> irsaWith(String name, String value) {
        Map<String, String> m = new HashMap<>(IRSA);
        m.put(name, value);
        return m;
    }

    @Test
    void theirDeclaredDefaultsAreReadFromTheirMapping() {
        assertThat(DECLARED).containsExactlyInAnyOrderEntriesOf(Map.of(TYPE, "default", NAME, "",
                ANY_TYPE, "default", ANY_NAME, ""));
    }

    @Test
    void configuredAndActivePointsTheirClientAtTheBean() {
        SmallRyeConfig c = config(IRSA);
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("custom");
        assertThat(c.getValue(NAME, String.class)).isEqualTo("irsa");
    }

    @ParameterizedTest
    @ValueSource(strings = {"files", "\"my.bucket\"", "\"<default>x\""})
    void configuredAndActivePointsTheirNamedClientsAtTheBean(String client) {
        SmallRyeConfig c = config(IRSA);
        assertThat(c.getValue(TYPE.replace("s3.", "s3." + client + "."), String.class)).isEqualTo("custom");
        assertThat(c.getValue(NAME.replace("s3.", "s3." + client + "."), String.class)).isEqualTo("irsa");
    }

    /**
     * Not one client's segment, so no client's names: never answered (SmallRye's own {@code *} may still give their
     * default to an empty or lone-quote segment).
     */
    @ParameterizedTest
    @ValueSource(strings = {"a.b", "\"a\"b\"", "\"", ""})
    void namesOfNoClientAreLeftAlone(String client) {
        SmallRyeConfig c = config(IRSA);
        String type = "quarkus.s3." + client + ".aws.credentials.type";
        assertThat(c.getConfigValue(type).getValue()).as(type).isNotEqualTo("custom");
    }

    @Test
    void aNamedClientsTypeInTheEnvironmentsSpellingWinsAndNothingIsAddedForIt() {
        SmallRyeConfig c = config(IRSA, new EnvConfigSource(Map.of("QUARKUS_S3_FILES_AWS_CREDENTIALS_TYPE", "static"),
                300));
        assertThat(c.getValue(FILES_TYPE, String.class)).isEqualTo("static");
        assertThat(c.getOptionalValue(FILES_NAME, String.class)).isEmpty();
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("custom"); // each client decided on its own names
    }

    @Test
    void aNamedClientsBeanNameOfTheUsersIsKept() {
        SmallRyeConfig c = config(irsaWith(FILES_NAME, "mine"));
        assertThat(c.getValue(FILES_TYPE, String.class)).isEqualTo("custom");
        assertThat(c.getValue(FILES_NAME, String.class)).isEqualTo("mine");
    }

    @Test
    void inactiveLeavesTheirNamedClientsDefault() {
        SmallRyeConfig c = config(irsaWith("quarkus.irsa.active", "false"));
        assertThat(c.getValue(FILES_TYPE, String.class)).isEqualTo("default");
        assertThat(c.getOptionalValue(FILES_NAME, String.class)).isEmpty();
    }

    @Test
    void aNamedClientsTypeFromTheRunTimeDefaultsWins() {
        SmallRyeConfig c = new QuarkiverseCredentials().configBuilder(new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withDefaultValue(ANY_TYPE, DECLARED.get(ANY_TYPE))
                .withDefaultValues(Map.of(FILES_TYPE, "static"))
                .withSources(new PropertiesConfigSource(IRSA, "application.properties", 250))).build();
        assertThat(c.getValue(FILES_TYPE, String.class)).isEqualTo("static");
        assertThat(c.getOptionalValue(FILES_NAME, String.class)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "false ", "FALSE", "off", "0", "no", "n", "nein"})
    void inactiveAsSmallRyeConvertsItLeavesTheirDefault(String active) {
        SmallRyeConfig c = config(irsaWith("quarkus.irsa.active", active));
        assertThat(c.getValue("quarkus.irsa.active", boolean.class)).isFalse(); // as the bean reads it
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("default");
        assertThat(c.getOptionalValue(NAME, String.class)).isEmpty();
    }

    @Test
    void inactiveInTheEnvironmentsSpellingLeavesTheirDefault() {
        SmallRyeConfig c = config(IRSA, new EnvConfigSource(Map.of("QUARKUS_IRSA_ACTIVE", "0"), 300));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("default");
    }

    @Test
    void inactiveFromAFactorysSourceLeavesTheirDefault() {
        SmallRyeConfig c = config(IRSA, context -> List.<ConfigSource>of(
                new PropertiesConfigSource(Map.of("quarkus.irsa.active", "false"), "config-map", 270)));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("default");
    }

    @Test
    void configuredOnlyInAFactorysSourcePointsTheirClientAtTheBean() {
        SmallRyeConfig c = config(Map.of(), context -> List.<ConfigSource>of(
                new PropertiesConfigSource(IRSA, "config-map", 270)));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("custom");
        assertThat(c.getValue(NAME, String.class)).isEqualTo("irsa");
    }

    @Test
    void thePodsVariablesInTheEnvironmentCount() {
        SmallRyeConfig c = config(Map.of(), new EnvConfigSource(Map.of("AWS_ROLE_ARN", IRSA.get("quarkus.irsa.role-arn"),
                "AWS_WEB_IDENTITY_TOKEN_FILE", IRSA.get("quarkus.irsa.token-file")), 300));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("custom");
    }

    @Test
    void notConfiguredLeavesTheirDefault() {
        SmallRyeConfig c = config(Map.of());
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("default");
        assertThat(c.getOptionalValue(NAME, String.class)).isEmpty();
    }

    @Test
    void theUsersTypeInTheEnvironmentsSpellingWinsAndNothingIsAdded() {
        SmallRyeConfig c = config(IRSA, new EnvConfigSource(Map.of("QUARKUS_S3_AWS_CREDENTIALS_TYPE", "static"), 300));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("static");
        assertThat(c.getOptionalValue(NAME, String.class)).isEmpty();
    }

    /**
     * What a build step of another extension writes as a run-time default (RunTimeConfigurationDefaultBuildItem:
     * Quarkiverse's own LocalStack dev service writes {@code type=static} and its keys there) lands in the same
     * default-values source as their {@code @WithDefault}, and wins over the extension's answer.
     */
    @Test
    void aTypeFromTheRunTimeDefaultsWins() {
        SmallRyeConfig c = new QuarkiverseCredentials().configBuilder(new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withDefaultValue(TYPE, DECLARED.get(TYPE))
                .withDefaultValues(Map.of(TYPE, "static"))
                .withSources(new EnvConfigSource(Map.of("AWS_ROLE_ARN", IRSA.get("quarkus.irsa.role-arn"),
                        "AWS_WEB_IDENTITY_TOKEN_FILE", IRSA.get("quarkus.irsa.token-file")), 300))).build();
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("static");
        assertThat(c.getOptionalValue(NAME, String.class)).isEmpty();
    }

    @Test
    void aProfilesTypeWins() {
        SmallRyeConfig c = config(irsaWith("%prod." + TYPE, "static"), new PropertiesConfigSource(
                Map.of("smallrye.config.profile", "prod"), "profile", 400));
        assertThat(c.getValue(TYPE, String.class)).isEqualTo("static");
        assertThat(c.getOptionalValue(NAME, String.class)).isEmpty();
    }
}
