package dev.irsa.rds.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.rds.LogCapture;
import dev.irsa.rds.RdsAuthTokens;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Which auto-configured R2DBC factories {@code irsa.rds.enabled=true} switches (the switched one logging in is
 * {@code R2dbcPostgresIamEndToEndTest}'s).
 */
class IrsaR2dbcAutoConfigurationTest {
    static Class<?> r2dbcAutoConfiguration() {
        for (String name : List.of("org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
                "org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration")) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                // the other Spring Boot line
            }
        }
        throw new IllegalStateException("No R2dbcAutoConfiguration on the class path");
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(r2dbcAutoConfiguration(), IrsaR2dbcAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> StaticCredentialsProvider.create(
                        AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", "secret", "session")));
    }

    @Test
    void anRdsOrDsqlUrlWithoutAPasswordIsSwitchedAnyOtherLeftWithAWarning() {
        for (String host : List.of("mydb.abc123.us-west-2.rds.amazonaws.com", "abcdefghij.dsql.us-east-1.on.aws")) {
            try (LogCapture logs = new LogCapture()) {
                runner().withPropertyValues("irsa.rds.enabled=true", "spring.r2dbc.url=r2dbc:postgresql://" + host + "/app",
                        "spring.r2dbc.username=admin").run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(RdsAuthTokens.class);
                    assertThat(ctx).hasBean("irsaRdsR2dbcCustomizer");
                    ctx.getBean(io.r2dbc.spi.ConnectionFactory.class); // built with the customizer applied
                });
                assertThat(logs.all()).contains("uses " + (host.contains(".dsql.") ? "Aurora DSQL IAM authentication"
                        : "RDS IAM database authentication") + " for admin@" + host + ":5432")
                        .contains("sslMode=require");
            }
        }
        try (LogCapture logs = new LogCapture()) {
            runner().withPropertyValues("irsa.rds.enabled=true",
                    "spring.r2dbc.url=r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com/app",
                    "spring.r2dbc.username=admin", "spring.r2dbc.properties.sslMode=verify-full").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                ctx.getBean(io.r2dbc.spi.ConnectionFactory.class);
            });
            assertThat(logs.all()).as("the SSL mode of spring.r2dbc.properties is kept")
                    .contains("uses RDS IAM database authentication").doesNotContain("sslMode=require");
        }
        try (LogCapture logs = new LogCapture()) {
            runner().withPropertyValues("irsa.rds.enabled=true", "spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:5432/app",
                    "spring.r2dbc.username=app").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                ctx.getBean(io.r2dbc.spi.ConnectionFactory.class);
            });
            assertThat(logs.all()).contains("is left as it is, without IAM database authentication: its URL names no RDS"
                    + " endpoint or Aurora DSQL cluster endpoint").contains("irsa.rds.r2dbc.enabled=true");
        }
        try (LogCapture logs = new LogCapture()) {
            runner().withPropertyValues("irsa.rds.enabled=true",
                    "spring.r2dbc.url=r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com/app",
                    "spring.r2dbc.username=app", "spring.r2dbc.password=its-own").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                ctx.getBean(io.r2dbc.spi.ConnectionFactory.class);
            });
            assertThat(logs.all()).contains("it has a password of its own").doesNotContain("its-own");
        }
    }

    @Test
    void forcedItFailsStartUpWhenItCannotSwitchAndDisabledItAddsNothing() {
        runner().withPropertyValues("irsa.rds.enabled=true", "irsa.rds.r2dbc.enabled=true",
                "spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:5432/app", "spring.r2dbc.username=app").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("irsa.rds.r2dbc.enabled=true, but the R2DBC"
                    + " ConnectionFactory (spring.r2dbc.*) cannot use IAM database authentication")
                    .hasStackTraceContaining("region for the RDS endpoint 127.0.0.1 is missing");
        });
        runner().withPropertyValues("irsa.rds.enabled=true", "irsa.rds.r2dbc.enabled=false",
                "spring.r2dbc.url=r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com/app", "spring.r2dbc.username=app").run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean("irsaRdsR2dbcCustomizer");
        });
        runner().withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com/app",
                        "spring.r2dbc.username=app")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(RdsAuthTokens.class)
                        .doesNotHaveBean("irsaRdsR2dbcCustomizer"));
    }

    @Test
    void withoutR2dbcOnTheClassPathNothingIsAddedAndNothingFails() {
        new ApplicationContextRunner().withClassLoader(new FilteredClassLoader("io.r2dbc"))
                .withConfiguration(AutoConfigurations.of(IrsaR2dbcAutoConfiguration.class))
                .withPropertyValues("irsa.rds.enabled=true")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(RdsAuthTokens.class)
                        .doesNotHaveBean("irsaRdsR2dbcCustomizer"));
    }
}
