package dev.irsa.rds.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.rds.LogCapture;
import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import java.sql.Connection;
import java.util.List;
import dev.irsa.rds.internal.RdsHosts;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Spring Boot's own DataSource auto-configuration (Boot 4's {@code spring-boot-jdbc}, or Boot 3.5's, with
 * {@code -Dboot3}) plus ours: with {@code irsa.rds.enabled=true} the pool logs in with tokens the test kit's verifier
 * accepts, signed with the application's credentials provider bean.
 */
class IrsaRdsAutoConfigurationTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    static final String HOST = "mydb.abc123.us-west-2.rds.amazonaws.com";

    static Class<?> dataSourceAutoConfiguration() {
        for (String name : List.of("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                // the other Spring Boot line
            }
        }
        throw new IllegalStateException("No DataSourceAutoConfiguration on the class path");
    }

    ApplicationContextRunner runner(IrsaEnvironment env) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(dataSourceAutoConfiguration(), IrsaRdsAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                        .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("spring").shared(false).build())
                .withPropertyValues("spring.datasource.url=jdbc:rds-verify://" + HOST + ":5432/app",
                        "spring.datasource.driver-class-name=" + RdsIamDatabase.DRIVER_CLASS_NAME,
                        "spring.datasource.username=app_user", "spring.datasource.hikari.maximum-pool-size=1");
    }

    @Test
    void onePropertySwitchesTheDataSourceToIamAuthentication(IrsaEnvironment env) throws Exception {
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).start()) {
            runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.margin=2m").run(ctx -> {
                assertThat(ctx).hasNotFailed().hasSingleBean(RdsAuthTokens.class);
                assertThat(ctx.getBean(RdsAuthTokens.class).toString()).as("irsa.rds.margin applied").contains("margin=PT2M");
                HikariDataSource ds = (HikariDataSource) ctx.getBean(DataSource.class);
                assertThat(ds.getCredentialsProvider()).isInstanceOfSatisfying(RdsIamHikariCredentials.class,
                        c -> assertThat(c.endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2")));
                try (Connection c = ds.getConnection()) {
                    assertThat(c.isValid(1)).isTrue();
                }
                assertThat(db.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
                assertThat(db.verdicts().get(0).assumedRoleArn()).as("signed with the application's provider bean")
                        .endsWith("assumed-role/app-role/spring");
            });
        }
    }

    @Test
    void anAuroraDsqlDataSourceIsSwitchedByItsClusterEndpointAndAdminLogsInWithDbConnectAdmin(IrsaEnvironment env)
            throws Exception {
        String cluster = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
        for (String user : List.of("admin", "app_role")) {
            try (RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).region("us-east-1").host(cluster).port(5432)
                    .database("postgres").start()) {
            runner(env).withPropertyValues("irsa.rds.enabled=true",
                    "spring.datasource.url=" + db.jdbcUrl(),
                    "spring.datasource.username=" + user).run(ctx -> {
                assertThat(ctx).hasNotFailed();
                HikariDataSource ds = (HikariDataSource) ctx.getBean(DataSource.class);
                assertThat(ds.getCredentialsProvider()).isInstanceOfSatisfying(RdsIamHikariCredentials.class,
                        c -> assertThat(c.endpoint().isDsql()).isTrue());
                try (Connection c = ds.getConnection()) {
                    assertThat(c.isValid(1)).isTrue();
                }
                assertThat(db.verdicts()).as(() -> user + ": " + db.verdicts()).isNotEmpty()
                        .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            });
            }
        }
    }

    @Test
    void aHikariWithoutTheCredentialsHookIsNamedAtStartUp() {
        ClassLoader hikari6 = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals("com.zaxxer.hikari.HikariCredentialsProvider")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
        assertThatThrownBy(() -> IrsaRdsAutoConfiguration.requireHikariCredentialsHook(hikari6))
                .hasMessageContaining("needs HikariCP 7.0 or newer").hasMessageContaining("hikaricp.version to 7.1.0");
        IrsaRdsAutoConfiguration.requireHikariCredentialsHook(getClass().getClassLoader());
    }

    @Test
    void isRegisteredForSpringBootToFind() {
        assertThat(org.springframework.boot.context.annotation.ImportCandidates.load(
                org.springframework.boot.autoconfigure.AutoConfiguration.class, getClass().getClassLoader()))
                .contains(IrsaRdsAutoConfiguration.class.getName());
    }

    @Test
    void withoutThePropertyNothingChanges(IrsaEnvironment env) {
        runner(env).run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(RdsAuthTokens.class);
            assertThat(((HikariDataSource) ctx.getBean(DataSource.class)).getCredentialsProvider()).isNull();
        });
    }

    @Test
    void aUrlWithoutRegionIsLeftAloneWithAWarningOrFailsStartUpWhenNamed(IrsaEnvironment env) {
        try (LogCapture logs = new LogCapture()) {
            runner(env).withPropertyValues("irsa.rds.enabled=true", "spring.datasource.url=jdbc:rds-verify://127.0.0.1:5432/app")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(((HikariDataSource) ctx.getBean(DataSource.class)).getCredentialsProvider()).isNull();
                    });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'dataSource' is left as it is")
                    && l.contains("its URL jdbc:rds-verify://127.0.0.1... names no RDS endpoint") && l.contains("irsa.rds.data-sources"));
        }
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=dataSource",
                        "spring.datasource.url=jdbc:rds-verify://127.0.0.1:5432/app")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("'dataSource' is named in irsa.rds.data-sources")
                        .hasStackTraceContaining("region for the RDS endpoint 127.0.0.1 is missing"));
        // a region alone does not make a local database an RDS one (this switched it before)
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.region=us-west-2",
                        "spring.datasource.url=jdbc:rds-verify://127.0.0.1:5432/app")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(((HikariDataSource) ctx.getBean(DataSource.class)).getCredentialsProvider()).isNull();
                });
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.region=us-west-2", "irsa.rds.data-sources=dataSource",
                        "spring.datasource.url=jdbc:rds-verify://127.0.0.1:5432/app")
                .run(ctx -> assertThat(ctx).hasNotFailed().getBean(HikariDataSource.class).extracting(
                        HikariDataSource::getCredentialsProvider).isInstanceOf(RdsIamHikariCredentials.class));
    }

    static HikariDataSource unstarted(String url, String user) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername(user);
        ds.setDriverClassName(RdsIamDatabase.DRIVER_CLASS_NAME);
        return ds;
    }

    /** An H2 / local database next to the RDS one, and a pool a @Bean method already started. */
    ApplicationContextRunner severalDataSources(IrsaEnvironment env) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                        .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("spring").shared(false).build())
                .withBean("rds", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://" + HOST + ":5432/app", "app_user"))
                .withBean("local", HikariDataSource.class, () -> {
                    HikariDataSource ds = new HikariDataSource();
                    ds.setJdbcUrl("jdbc:h2:mem:x;password=hunter2");
                    ds.setUsername("sa");
                    return ds;
                })
                .withBean("started", HikariDataSource.class, () -> {
                    HikariConfig config = new HikariConfig();
                    config.setJdbcUrl("jdbc:rds-verify://" + HOST + ":5432/app");
                    config.setDriverClassName(RdsIamDatabase.DRIVER_CLASS_NAME);
                    config.setUsername("app_user");
                    config.setPassword("not-a-token");
                    config.setInitializationFailTimeout(-1); // started without a connection
                    config.setMinimumIdle(0);
                    return new HikariDataSource(config);
                });
    }

    @Test
    void onlyTheDataSourcesThatCanUseIamAreSwitchedTheOthersLeftWithAWarning(IrsaEnvironment env) {
        try (LogCapture logs = new LogCapture()) {
            severalDataSources(env).withPropertyValues("irsa.rds.enabled=true").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx.getBean("rds", HikariDataSource.class).getCredentialsProvider()).isInstanceOf(RdsIamHikariCredentials.class);
                assertThat(ctx.getBean("local", HikariDataSource.class).getCredentialsProvider()).isNull();
                assertThat(ctx.getBean("started", HikariDataSource.class).getCredentialsProvider()).isNull();
                String tokensBean = ctx.getBeanNamesForType(RdsAuthTokens.class)[0];
                assertThat(ctx.getBeanFactory().getDependentBeans(tokensBean)).as("closed after the data source").contains("rds");
            });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'local' is left as it is")
                    && l.contains("jdbc:h2:..."));
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'started' is left as it is")
                    && l.contains("already started"));
            assertThat(logs.all()).doesNotContain("hunter2", "not-a-token");
        }
        severalDataSources(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=rds,local")
                .run(ctx -> {
                    assertThat(ctx).hasFailed().getFailure().hasStackTraceContaining("'local' is named in irsa.rds.data-sources");
                    java.io.StringWriter trace = new java.io.StringWriter();
                    ctx.getStartupFailure().printStackTrace(new java.io.PrintWriter(trace));
                    assertThat(trace.toString()).doesNotContain("hunter2");
                });
        severalDataSources(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=rds,started")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("'started' is named in irsa.rds.data-sources").hasStackTraceContaining("already started"));
    }

    @Test
    void theHostAndPortSignedForCanBeTheDatabasesOwnBehindATunnel(IrsaEnvironment env) {
        // 127.0.0.1 is no RDS endpoint: a tunnel's data source is switched only when named
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=dataSource",
                        "irsa.rds.host=" + HOST.toUpperCase(java.util.Locale.ROOT),
                        "irsa.rds.port=5432", "spring.datasource.url=jdbc:rds-verify://127.0.0.1:15432,127.0.0.1:15433/app")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    HikariDataSource ds = (HikariDataSource) ctx.getBean(DataSource.class);
                    assertThat(((RdsIamHikariCredentials) ds.getCredentialsProvider()).endpoint())
                            .isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                    assertThat(ds.getCredentialsProvider().getCredentials().getPassword()).startsWith(HOST + ":5432/?");
                });
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.port=5432",
                        "spring.datasource.url=jdbc:rds-verify://" + HOST + ":15432/app")
                .run(ctx -> assertThat(((RdsIamHikariCredentials) ((HikariDataSource) ctx.getBean(DataSource.class))
                        .getCredentialsProvider()).endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2")));
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=dataSource",
                        "spring.datasource.url=jdbc:rds-verify://" + HOST + ":5432," + HOST + ":5433/app")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("names several hosts")
                        .hasMessageContaining("irsa.rds.data-sources.dataSource.host").hasMessageNotContaining("irsa.rds.host"));
    }

    static HikariDataSource withPassword(String url, String user, String password) {
        HikariDataSource ds = unstarted(url, user);
        ds.setPassword(password);
        return ds;
    }

    static RdsEndpoint endpointOf(org.springframework.context.ApplicationContext ctx, String bean) {
        return ((RdsIamHikariCredentials) ctx.getBean(bean, HikariDataSource.class).getCredentialsProvider()).endpoint();
    }

    @Test
    void anInMemoryDatabaseIsLeftAloneWhenAGlobalHostAndPortAreSet(IrsaEnvironment env) {
        try (LogCapture logs = new LogCapture()) {
            severalDataSources(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.host=" + HOST, "irsa.rds.port=5432")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(ctx.getBean("local", HikariDataSource.class).getCredentialsProvider())
                                .as("an H2 jdbc:h2:mem: pool cannot use IAM").isNull();
                        assertThat(endpointOf(ctx, "rds")).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                    });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'local' is left as it is"));
            assertThat(logs.all()).doesNotContain("hunter2");
        }
    }

    @Test
    void aLocalDatabaseWithItsOwnPasswordKeepsItWhenAGlobalRegionIsSet(IrsaEnvironment env) {
        try (LogCapture logs = new LogCapture()) {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                    .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                            .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false).build())
                    .withBean("dev", HikariDataSource.class,
                            () -> withPassword("jdbc:postgresql://localhost:5432/dev", "dev", "dev-secret"))
                    .withPropertyValues("irsa.rds.enabled=true", "irsa.rds.region=us-west-2")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        HikariDataSource dev = ctx.getBean("dev", HikariDataSource.class);
                        assertThat(dev.getCredentialsProvider()).as("localhost is no RDS endpoint").isNull();
                        assertThat(dev.getPassword()).isEqualTo("dev-secret");
                    });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'dev' is left as it is")
                    && l.contains("irsa.rds.data-sources"));
            assertThat(logs.all()).doesNotContain("dev-secret");
        }
    }

    @Test
    void anRdsDataSourceWithItsOwnPasswordIsSwitchedOnlyWhenNamedAndThenWithAWarning(IrsaEnvironment env) {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                        .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false).build())
                .withBean("orders", HikariDataSource.class,
                        () -> withPassword("jdbc:rds-verify://" + HOST + ":5432/app", "app_user", "old-secret"));
        try (LogCapture logs = new LogCapture()) {
            runner.withPropertyValues("irsa.rds.enabled=true").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                HikariDataSource orders = ctx.getBean("orders", HikariDataSource.class);
                assertThat(orders.getCredentialsProvider()).as("not named: its password is kept").isNull();
                assertThat(orders.getPassword()).isEqualTo("old-secret");
            });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'orders' is left as it is")
                    && l.contains("has a password of its own") && l.contains("irsa.rds.data-sources"));
            assertThat(logs.all()).doesNotContain("old-secret");
        }
        try (LogCapture logs = new LogCapture()) {
            runner.withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=orders").run(ctx -> {
                assertThat(ctx).hasNotFailed();
                HikariDataSource orders = ctx.getBean("orders", HikariDataSource.class);
                assertThat(orders.getCredentialsProvider()).isInstanceOf(RdsIamHikariCredentials.class);
                assertThat(orders.getPassword()).isNull();
            });
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("DataSource 'orders'")
                    && l.contains("password") && l.contains("replaced by RDS IAM authentication tokens"));
            assertThat(logs.all()).doesNotContain("old-secret");
        }
    }

    @Test
    void eachDataSourceCanBeDescribedOnItsOwnBehindItsOwnTunnel(IrsaEnvironment env) {
        String china = "orders.cluster-123456789012.rds.cn-north-1.amazonaws.com.cn";
        String gov = "billing.123456789012.rds.us-gov-west-1.amazonaws.com";
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                        .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false).build())
                .withBean("orders", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://127.0.0.1:15432/app", "app_user"))
                .withBean("billing", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://127.0.0.1:15433/app", "app_user"))
                .withBean("reports", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://" + china + ":5432/app", "reader"))
                .withBean("local", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://127.0.0.1:5432/app", "sa"))
                .withPropertyValues("irsa.rds.enabled=true",
                        "irsa.rds.data-sources.orders.host=" + china, "irsa.rds.data-sources.orders.port=5432",
                        "irsa.rds.data-sources.billing.host=" + gov, "irsa.rds.data-sources.billing.port=3306",
                        "irsa.rds.data-sources.billing.user=billing_iam")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(endpointOf(ctx, "orders")).isEqualTo(new RdsEndpoint(china, 5432, "app_user", "cn-north-1"));
                    assertThat(endpointOf(ctx, "billing")).isEqualTo(new RdsEndpoint(gov, 3306, "billing_iam", "us-gov-west-1"));
                    assertThat(ctx.getBean("reports", HikariDataSource.class).getCredentialsProvider())
                            .as("named: only those in irsa.rds.data-sources").isNull();
                    assertThat(ctx.getBean("local", HikariDataSource.class).getCredentialsProvider()).isNull();
                });
    }

    @Test
    void chinaAndGovCloudEndpointsAreSwitchedWithoutBeingNamed(IrsaEnvironment env) {
        for (String host : List.of("orders.cluster-123456789012.rds.cn-north-1.amazonaws.com.cn",
                "billing.123456789012.rds.us-gov-west-1.amazonaws.com", "db.proxy-123456789012.rds.us-iso-east-1.c2s.ic.gov")) {
            runner(env).withPropertyValues("irsa.rds.enabled=true", "spring.datasource.url=jdbc:rds-verify://" + host + ":5432/app")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(endpointOf(ctx, "dataSource").host()).isEqualTo(host);
                        assertThat(endpointOf(ctx, "dataSource").region()).isEqualTo(RdsHosts.regionOf(host).orElseThrow());
                    });
        }
    }

    @Test
    void aMisspeltPerDataSourceSettingFailsStartUp(IrsaEnvironment env) {
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources.dataSource.hots=" + HOST)
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("irsa.rds.data-sources.dataSource.hots")
                        .hasStackTraceContaining("host, port, region, user"));
        runner(env).withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources.nosuchbean.host=" + HOST)
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("irsa.rds.data-sources names nosuchbean"));
    }

    /** LocalStack's static keys next to the IRSA provider: the IRSA bean signs, as it does Kafka's (one session). */
    @Test
    void theIrsaProviderBeanIsChosenOverAnotherCredentialsProviderBean(IrsaEnvironment env) {
        IrsaCredentialsProvider irsaBean = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("spring").shared(false).build();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                .withBean("irsa", IrsaCredentialsProvider.class, () -> irsaBean)
                .withBean("localstack", software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.class,
                        () -> software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .withPropertyValues("irsa.rds.enabled=true")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(RdsAuthTokens.class).credentialsProvider()).isSameAs(irsaBean);
                });
    }

    @Test
    void withoutAProviderBeanToChooseOneWarnNamesTheCandidates(IrsaEnvironment env) {
        try (LogCapture logs = new LogCapture()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                    .withBean("first", software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.class,
                            () -> software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b")))
                    .withBean("second", software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.class,
                            () -> software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("c", "d")))
                    .withPropertyValues("irsa.rds.enabled=true")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed().hasSingleBean(RdsAuthTokens.class);
                        // chosen when first needed (the first token), once
                        assertThat(ctx.getBean(RdsAuthTokens.class).credentialsProvider()).isInstanceOf(IrsaCredentialsProvider.class);
                        assertThat(ctx.getBean(RdsAuthTokens.class).credentialsProvider()).isInstanceOf(IrsaCredentialsProvider.class);
                    });
            List<String> warns = logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("credentials provider")).toList();
            assertThat(warns).hasSize(1);
            assertThat(warns.get(0)).contains("RDS").contains("first").contains("second").contains("@Primary");
        }
    }

    @Test
    void aNamedDataSourceThatIsNotAHikariPoolFailsStartUp(IrsaEnvironment env) {
        severalDataSources(env)
                .withBean("plain", DataSource.class, () -> new org.springframework.jdbc.datasource.SimpleDriverDataSource())
                .withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=plain")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("'plain' is named in irsa.rds.data-sources")
                        .hasStackTraceContaining("not a HikariDataSource"));
        severalDataSources(env)
                .withBean("own", HikariDataSource.class, () -> {
                    HikariDataSource ds = unstarted("jdbc:rds-verify://" + HOST + ":5432/app", "app_user");
                    ds.setCredentialsProvider(() -> new com.zaxxer.hikari.util.Credentials("u", "p"));
                    return ds;
                })
                .withPropertyValues("irsa.rds.enabled=true", "irsa.rds.data-sources=own")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("'own' is named in irsa.rds.data-sources")
                        .hasStackTraceContaining("credentials provider of its own"));
    }
    /** Every auto-configuration irsa-rds registers, as Spring Boot finds them (whatever they are called). */
    static AutoConfigurations rdsAutoConfigurations() {
        List<Class<?>> classes = new java.util.ArrayList<>(List.of(dataSourceAutoConfiguration()));
        for (String name : org.springframework.boot.context.annotation.ImportCandidates.load(
                org.springframework.boot.autoconfigure.AutoConfiguration.class,
                IrsaRdsAutoConfigurationTest.class.getClassLoader())) {
            if (name.startsWith("dev.irsa.rds.")) {
                try {
                    classes.add(Class.forName(name));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return AutoConfigurations.of(classes.toArray(Class<?>[]::new));
    }

    /**
     * spring.datasource.hikari.credentials-provider-class-name with irsa.rds.* only as Spring properties: HikariCP
     * creates RdsIamHikariCredentialsProvider by name, and it signs for those settings with the application's provider
     * bean (its principal, its session), not with a provider of its own from the pod's environment.
     */
    @Test
    void theHikariProviderNamedByClassUsesTheApplicationsSettingsAndProviderBean(IrsaEnvironment env) throws Exception {
        // closed even if an assertion fails: a leaked database kept HOST:5432 from the later tests
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).database("app").start()) {
            IrsaCredentialsProvider bean = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("spring").shared(false).build();
            new ApplicationContextRunner()
                    .withConfiguration(rdsAutoConfigurations())
                    .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> bean)
                    .withPropertyValues("spring.datasource.url=jdbc:rds-verify://" + HOST + ":5432/app",
                            "spring.datasource.driver-class-name=" + RdsIamDatabase.DRIVER_CLASS_NAME,
                            "spring.datasource.username=app_user", "spring.datasource.hikari.maximum-pool-size=1",
                            "spring.datasource.hikari.credentials-provider-class-name="
                                    + dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider.class.getName(),
                            "irsa.rds.host=" + HOST, "irsa.rds.port=5432", "irsa.rds.user=app_user")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        HikariDataSource ds = (HikariDataSource) ctx.getBean(DataSource.class);
                        assertThat(ds.getCredentialsProvider()).isInstanceOfSatisfying(
                                dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider.class,
                                p -> assertThat(p.endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2")));
                        try (Connection c = ds.getConnection()) {
                            assertThat(c.isValid(1)).isTrue();
                        }
                    });
            assertThat(db.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(db.verdicts().get(0).assumedRoleArn()).as("signed with the application's provider bean")
                    .endsWith("assumed-role/app-role/spring");
            // with irsa.rds.enabled=true too: the application's one token source (its provider chosen once) signs
            new ApplicationContextRunner()
                    .withConfiguration(rdsAutoConfigurations())
                    .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> bean)
                    .withPropertyValues("spring.datasource.url=jdbc:rds-verify://" + HOST + ":5432/app",
                            "spring.datasource.driver-class-name=" + RdsIamDatabase.DRIVER_CLASS_NAME,
                            "spring.datasource.username=app_user", "spring.datasource.hikari.maximum-pool-size=1",
                            "spring.datasource.hikari.credentials-provider-class-name="
                                    + dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider.class.getName(),
                            "irsa.rds.host=" + HOST, "irsa.rds.port=5432", "irsa.rds.user=app_user", "irsa.rds.enabled=true")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        RdsAuthTokens tokens = ctx.getBean(RdsAuthTokens.class);
                        assertThat(tokens.signatures()).isZero();
                        try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                            assertThat(c.isValid(1)).isTrue();
                        }
                        assertThat(tokens.signatures()).isEqualTo(1);
                        assertThat(tokens.credentialsProvider()).isSameAs(bean);
                    });
            bean.close();
        }
    }

    /** A @Lazy provider bean is created when the first token is signed, not at start-up. */
    @Test
    void aLazyProviderBeanIsCreatedOnlyWhenTheFirstTokenIsSigned(IrsaEnvironment env) throws Exception {
        // closed even if an assertion fails: a leaked database kept HOST:5432 from the later tests
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).database("app").start()) {
            java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
            new ApplicationContextRunner()
                    .withConfiguration(rdsAutoConfigurations())
                    .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> {
                        created.incrementAndGet();
                        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                                .roleSessionName("lazy").shared(false).build();
                    }, bd -> bd.setLazyInit(true))
                    .withPropertyValues("spring.datasource.url=jdbc:rds-verify://" + HOST + ":5432/app",
                            "spring.datasource.driver-class-name=" + RdsIamDatabase.DRIVER_CLASS_NAME,
                            "spring.datasource.username=app_user", "spring.datasource.hikari.maximum-pool-size=1",
                            "irsa.rds.enabled=true")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(created).as("not created at start-up").hasValue(0);
                        try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                            assertThat(c.isValid(1)).isTrue();
                        }
                        assertThat(created).hasValue(1);
                    });
            assertThat(db.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(db.verdicts().get(0).assumedRoleArn()).endsWith("assumed-role/app-role/lazy");
        }
    }

    /**
     * Two data sources on different hosts: a global irsa.rds.host / port would have both sign for one host, so it
     * fails start-up naming the per-data-source properties; per-data-source settings describe each.
     */
    @Test
    void aGlobalHostOrPortWithSeveralDataSourcesFailsStartUpNamingThePerDataSourceProperty(IrsaEnvironment env) {
        String other = "billing.cluster-123456789012.us-west-2.rds.amazonaws.com";
        ApplicationContextRunner two = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> IrsaCredentialsProvider.builder()
                        .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false).build())
                .withBean("orders", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://" + HOST + ":5432/app", "app_user"))
                .withBean("billing", HikariDataSource.class, () -> unstarted("jdbc:rds-verify://" + other + ":5432/app", "app_user"));
        for (String global : List.of("irsa.rds.host=" + HOST, "irsa.rds.port=5433")) {
            two.withPropertyValues("irsa.rds.enabled=true", global).run(ctx -> assertThat(ctx).hasFailed().getFailure()
                    .hasStackTraceContaining("orders").hasStackTraceContaining("billing")
                    .hasStackTraceContaining("irsa.rds.data-sources.billing.host")
                    .hasStackTraceContaining("irsa.rds.data-sources.orders.host"));
        }
        // one of them described on its own: the global host is the other's alone, unambiguous
        two.withPropertyValues("irsa.rds.enabled=true", "irsa.rds.port=5433", "irsa.rds.data-sources.orders.port=5432",
                        "irsa.rds.data-sources.billing.port=6432")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(endpointOf(ctx, "orders")).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                    assertThat(endpointOf(ctx, "billing")).isEqualTo(new RdsEndpoint(other, 6432, "app_user", "us-west-2"));
                });
        two.withPropertyValues("irsa.rds.enabled=true", "irsa.rds.port=5433", "irsa.rds.data-sources.orders.port=5432",
                        "irsa.rds.data-sources.billing.user=app_user")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(endpointOf(ctx, "billing")).as("the one pool left to take the global port")
                            .isEqualTo(new RdsEndpoint(other, 5433, "app_user", "us-west-2"));
                });
    }

    /** An unstarted pool that names RdsIamHikariCredentialsProvider by class, as a properties-only pool does. */
    static HikariDataSource byName(String url, String user) {
        HikariDataSource ds = unstarted(url, user);
        ds.setMaximumPoolSize(1);
        ds.setCredentialsProviderClassName(dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider.class.getName());
        return ds;
    }

    static IrsaCredentialsProvider providerBean(IrsaEnvironment env, String sessionName) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName(sessionName).shared(false).build();
    }

    /**
     * Review finding 1: a pool naming RdsIamHikariCredentialsProvider by class signs for irsa.rds.host / port, so it
     * takes them as an auto-switched pool would; a primary switched by its URL took them too, and signed every login
     * to its host A for the by-name pool's host B. Start-up fails naming both; described on its own, each signs for its
     * own host.
     */
    @Test
    void aPoolNamingTheHikariProviderByClassTakesTheGlobalHostUnderTheSameRule(IrsaEnvironment env) throws Exception {
        String other = "billing.cluster-123456789012.us-west-2.rds.amazonaws.com";
        try (IrsaCredentialsProvider bean = providerBean(env, "spring");
             RdsIamDatabase orders = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).database("app").start();
             RdsIamDatabase billing = RdsIamDatabase.forEmulator(env.sts()).host(other).port(5432).database("app").start()) {
            ApplicationContextRunner two = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class,
                            IrsaRdsHikariByNameAutoConfiguration.class))
                    .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> bean)
                    .withBean("dataSource", HikariDataSource.class, () -> {
                        HikariDataSource ds = unstarted(orders.jdbcUrl(), "app_user");
                        ds.setMaximumPoolSize(1);
                        return ds;
                    })
                    .withBean("billing", HikariDataSource.class, () -> byName(billing.jdbcUrl(), "billing_user"))
                    .withPropertyValues("irsa.rds.enabled=true", "irsa.rds.host=" + other, "irsa.rds.port=5432",
                            "irsa.rds.user=billing_user");
            two.run(ctx -> assertThat(ctx).hasFailed().getFailure()
                    .hasStackTraceContaining("'dataSource'").hasStackTraceContaining("'billing'")
                    .hasStackTraceContaining("irsa.rds.data-sources.dataSource.host")
                    .hasStackTraceContaining("RdsIamHikariCredentialsProvider"));
            two.withPropertyValues("irsa.rds.data-sources.dataSource.host=" + HOST, "irsa.rds.data-sources.dataSource.port=5432")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(endpointOf(ctx, "dataSource")).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                        for (String pool : List.of("dataSource", "billing")) {
                            try (Connection c = ctx.getBean(pool, HikariDataSource.class).getConnection()) {
                                assertThat(c.isValid(1)).isTrue();
                            }
                        }
                        assertThat(((dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider) ctx.getBean("billing",
                                HikariDataSource.class).getCredentialsProvider()).endpoint())
                                .isEqualTo(new RdsEndpoint(other, 5432, "billing_user", "us-west-2"));
                    });
            assertThat(orders.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(billing.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            // without irsa.rds.enabled: two pools naming the class both sign for irsa.rds.host, one of them wrongly
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(IrsaRdsHikariByNameAutoConfiguration.class))
                    .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> bean)
                    .withBean("orders", HikariDataSource.class, () -> byName(orders.jdbcUrl(), "app_user"))
                    .withBean("billing", HikariDataSource.class, () -> byName(billing.jdbcUrl(), "billing_user"))
                    .withPropertyValues("irsa.rds.host=" + other, "irsa.rds.port=5432", "irsa.rds.user=billing_user")
                    .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                            .hasStackTraceContaining("'orders'").hasStackTraceContaining("'billing'"));
        }
    }

    /**
     * Review finding 5: with two contexts alive, a by-name pool of context A created while B lives (a lazy bean) signs
     * for A's irsa.rds.* with A's provider bean, not B's, and still signs after B has closed (B's token source with it).
     */
    @Test
    void aPoolNamingTheHikariProviderByClassSignsForItsOwnContextWhileAnotherLives(IrsaEnvironment env) throws Exception {
        String other = "billing.cluster-123456789012.us-west-2.rds.amazonaws.com";
        try (IrsaCredentialsProvider a = providerBean(env, "context-a"); IrsaCredentialsProvider b = providerBean(env, "context-b");
             RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).database("app").start()) {
            // irsa-rds's by-name auto-configuration alone, then with irsa.rds.enabled=true's post-processor binding
            for (String enabled : List.of("irsa.rds.enabled=false", "irsa.rds.enabled=true")) {
            db.clearVerdicts();
            ApplicationContextRunner byNameOnly = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(IrsaRdsAutoConfiguration.class,
                            IrsaRdsHikariByNameAutoConfiguration.class)).withPropertyValues(enabled);
            byNameOnly.withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> a)
                    .withBean("pool", HikariDataSource.class, () -> byName(db.jdbcUrl(), "app_user"), bd -> bd.setLazyInit(true))
                    .withPropertyValues("irsa.rds.host=" + HOST, "irsa.rds.port=5432", "irsa.rds.user=app_user")
                    .run(contextA -> {
                        assertThat(contextA).hasNotFailed();
                        java.util.concurrent.atomic.AtomicReference<HikariDataSource> pool = new java.util.concurrent.atomic.AtomicReference<>();
                        byNameOnly.withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> b)
                                .withPropertyValues("irsa.rds.host=" + other, "irsa.rds.port=6432", "irsa.rds.user=b_user")
                                .run(contextB -> {
                                    assertThat(contextB).hasNotFailed();
                                    pool.set(contextA.getBean("pool", HikariDataSource.class)); // created now
                                });
                        assertThat(((dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider) pool.get().getCredentialsProvider())
                                .endpoint()).as("context A's irsa.rds.*").isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                        try (Connection c = pool.get().getConnection()) { // B, and any token source of its, closed
                            assertThat(c.isValid(1)).isTrue();
                        }
                    });
            assertThat(db.verdicts()).as(enabled).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(db.verdicts().get(0).assumedRoleArn()).as("context A's provider bean").endsWith("assumed-role/app-role/context-a");
            }
        }
    }
}
