package dev.irsa.rds.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider;
import dev.irsa.rds.internal.ApplicationRds;
import dev.irsa.rds.internal.RdsHosts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;

/**
 * Installs {@link RdsIamHikariCredentials} on the HikariCP data sources that can use IAM: those named in
 * {@code irsa.rds.data-sources}, or, when none is named, those whose URL names an RDS endpoint and that have no
 * password of their own (only when switching: {@code irsa.rds.enabled=true}). Either way, binds the
 * {@link RdsIamHikariCredentialsProvider} of a pool that names it by class to this context, and applies one rule to
 * every IAM pool of the context: only one takes {@code irsa.rds.host / port}. Static and lazy: a post-processor is
 * created before the beans it could otherwise depend on.
 */
final class HikariIamPostProcessor implements BeanPostProcessor, Ordered {
    private static final Logger log = LoggerFactory.getLogger(IrsaRdsAutoConfiguration.class);
    private static final String PREFIX = "irsa.rds.data-sources";
    private static final Set<String> KEYS = Set.of("host", "port", "region", "user");

    /** What to sign for; each part null when not set (then the URL's, the pool's user, or the host's region). */
    record Settings(String host, Integer port, String region, String user) {
        static final Settings NONE = new Settings(null, null, null, null);

        /** This, its unset parts taken from {@code defaults}. */
        Settings over(Settings defaults) {
            return new Settings(host != null ? host : defaults.host, port != null ? port : defaults.port,
                    region != null ? region : defaults.region, user != null ? user : defaults.user);
        }
    }

    private static final String BY_NAME = RdsIamHikariCredentialsProvider.class.getSimpleName();

    private final ObjectProvider<RdsAuthTokens> tokens;
    /** The context's settings and token source, for the pools naming the class; looked up when the first appears. */
    private final Supplier<ApplicationRds.Binding> bindingLookup;
    private ApplicationRds.Binding binding;
    private boolean bindingLooked;
    /** Whether it switches pools ({@code irsa.rds.enabled=true}), or only binds those naming the class. */
    private final boolean switching;
    private final ConfigurableListableBeanFactory beanFactory;
    private final Settings global;
    /** Bean name to its own settings, in the order given; null when none is named (then every one that can be). */
    private final Map<String, Settings> named;
    /** The data source signing with the global host or port, if any: they may serve one only. */
    private String globalTaker;
    /** Whether {@link #globalTaker} names the class (then it signs for the global settings alone). */
    private boolean globalTakerByName;

    /**
     * @param tokens the token source of switched pools (null when not switching)
     * @param binding the context's settings and token source for the pools naming the class, or null to leave them
     *        as they decide
     * @param switching whether to switch pools ({@code irsa.rds.enabled=true})
     */
    HikariIamPostProcessor(ObjectProvider<RdsAuthTokens> tokens, ConfigurableListableBeanFactory beanFactory, Binder binder,
                           Supplier<ApplicationRds.Binding> binding, boolean switching) {
        this.tokens = tokens;
        this.bindingLookup = binding;
        this.switching = switching;
        this.beanFactory = beanFactory;
        this.global = new Settings(binder.bind("irsa.rds.host", String.class).orElse(null),
                binder.bind("irsa.rds.port", Integer.class).orElse(null),
                binder.bind("irsa.rds.region", String.class).orElse(null), null);
        this.named = switching ? named(binder) : null;
        if (named != null) {
            for (String bean : named.keySet()) {
                if (!beanFactory.containsBean(bean) && java.util.Arrays.stream(beanFactory.getBeanDefinitionNames())
                        .noneMatch(bean::equalsIgnoreCase)) {
                    throw new IllegalStateException(PREFIX + " names " + bean + ", but there is no bean of that name;"
                            + " give the data sources' bean names (spring.datasource.* defines 'dataSource').");
                }
            }
        }
    }

    /**
     * {@code irsa.rds.data-sources}: a list of bean names (as before per-data-source settings existed), or a map of
     * bean name to {@code host}, {@code port}, {@code region}, {@code user}.
     */
    private static Map<String, Settings> named(Binder binder) {
        List<String> list;
        try {
            list = binder.bind(PREFIX, Bindable.listOf(String.class)).orElse(null);
        } catch (BindException e) {
            list = null; // the map form
        }
        if (list != null) {
            Map<String, Settings> m = new LinkedHashMap<>();
            list.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(s -> m.put(s, Settings.NONE));
            return m.isEmpty() ? null : m;
        }
        ResolvableType stringMap = ResolvableType.forClassWithGenerics(Map.class, String.class, String.class);
        Map<String, Map<String, String>> raw = binder.bind(PREFIX, Bindable.<Map<String, Map<String, String>>>of(
                ResolvableType.forClassWithGenerics(Map.class, ResolvableType.forClass(String.class), stringMap))).orElse(null);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        Map<String, Settings> m = new LinkedHashMap<>();
        raw.forEach((bean, values) -> {
            for (String key : values.keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalStateException(PREFIX + "." + bean + "." + key + " is not a setting: each data source"
                            + " takes host, port, region, user.");
                }
            }
            Integer port = null;
            String p = blankToNull(values.get("port"));
            if (p != null) {
                try {
                    port = Integer.valueOf(p);
                } catch (NumberFormatException e) {
                    throw new IllegalStateException(PREFIX + "." + bean + ".port must be a number, got '" + p + "'.");
                }
            }
            m.put(bean, new Settings(blankToNull(values.get("host")), port, blankToNull(values.get("region")),
                    blankToNull(values.get("user"))));
        });
        return m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A map key keeps the spelling given, or comes lower-cased from relaxed sources (environment variables). */
    private Settings namedSettings(String beanName) {
        Settings s = named.get(beanName);
        if (s != null) {
            return s;
        }
        for (Map.Entry<String, Settings> e : named.entrySet()) {
            if (e.getKey().equalsIgnoreCase(beanName)) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        Settings own = named == null ? Settings.NONE : namedSettings(beanName);
        if (bean instanceof HikariDataSource h && h.getCredentialsProvider() instanceof RdsIamHikariCredentialsProvider p
                && (own == null || named == null)) {
            // not named in irsa.rds.data-sources (that fails below): it signs for the global settings
            bindByName(p, beanName);
            return bean;
        }
        if (!switching || own == null) {
            return bean;
        }
        if (!(bean instanceof HikariDataSource ds) || ds.getCredentialsProvider() != null) {
            if (named != null) {
                // named on purpose: the README promises start-up fails rather than the data source keeping its password
                throw new IllegalStateException("DataSource '" + beanName + "' is named in " + PREFIX + " but cannot be"
                        + " switched to RDS IAM authentication: " + (bean instanceof HikariDataSource
                        ? "it has a credentials provider of its own (HikariConfig.setCredentialsProvider)"
                        : "it is not a HikariDataSource (it is a " + bean.getClass().getName() + ")")
                        + ". Remove it from " + PREFIX + ", or make it an unconfigured HikariDataSource.");
            }
            return bean;
        }
        boolean isNamed = named != null;
        boolean hasPassword = ds.getPassword() != null && !ds.getPassword().isEmpty();
        try {
            if (ds.isRunning()) {
                throw new IllegalStateException("its pool has already started (a @Bean method returning"
                        + " new HikariDataSource(config)), so its configuration is sealed: call"
                        + " RdsIamHikariCredentials.install(config, tokens) before constructing it, or return an"
                        + " unstarted HikariDataSource with the URL and user set");
            }
            if (!isNamed) {
                // Only what can use IAM: an RDS endpoint in the URL, and no password someone set on purpose.
                String urlHost = urlEndpoint(ds, beanName).host();
                if (!RdsHosts.isRdsHost(urlHost)) {
                    throw new IllegalArgumentException("its URL " + describe(ds, beanName) + " names no RDS endpoint (an RDS"
                            + " instance, Aurora cluster or RDS Proxy host name)");
                }
                if (hasPassword) {
                    throw new IllegalArgumentException("it has a password of its own (spring.datasource.password or"
                            + " setPassword), which IAM authentication would replace");
                }
            }
            boolean takesGlobal = takesGlobal(beanName, own, false);
            RdsEndpoint endpoint = endpoint(ds, beanName, own.over(global));
            RdsIamHikariCredentials c = RdsIamHikariCredentials.install(ds, tokens.getObject(), endpoint);
            if (takesGlobal) {
                took(beanName, false); // only once switched: one left as it is takes nothing
            }
            closeTokensAfter(beanName);
            if (hasPassword) {
                log.warn("DataSource '{}' has a password of its own; as it is named in {}, the password is dropped and"
                        + " replaced by RDS IAM authentication tokens. Remove the password from its configuration to"
                        + " silence this.", beanName, PREFIX);
            }
            log.info("DataSource '{}' uses RDS IAM database authentication for {}", beanName, c.endpoint());
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (isNamed) {
                throw new IllegalStateException("DataSource '" + beanName + "' is named in " + PREFIX
                        + " but cannot use RDS IAM database authentication: " + e.getMessage(), e);
            }
            log.warn("DataSource '{}' is left as it is, without RDS IAM database authentication: {}. To switch it"
                    + " anyway, name it in {} (with host/port/region/user of its own if its URL names a tunnel or"
                    + " another name).", beanName, e.getMessage(), PREFIX);
        }
        return bean;
    }

    /**
     * A pool naming {@link RdsIamHikariCredentialsProvider}: bound to this context's settings and token source (not
     * another context's), then counted as taking the global host and port, which it always signs for.
     */
    private void bindByName(RdsIamHikariCredentialsProvider provider, String beanName) {
        RdsEndpoint endpoint;
        try {
            ApplicationRds.Binding b = binding();
            // without the context's registration (its auto-configuration excluded), it is as it decided itself
            endpoint = b != null ? ApplicationRds.bind(provider, b) : provider.endpoint();
        } catch (IllegalStateException e) {
            throw new org.springframework.beans.factory.BeanCreationException(beanName, "DataSource '" + beanName
                    + "' names " + BY_NAME + " by class (credentials-provider-class-name), which cannot sign: "
                    + e.getMessage(), e);
        }
        if (takesGlobal(beanName, Settings.NONE, true)) {
            took(beanName, true);
        }
        closeTokensAfter(beanName);
        log.info("DataSource '{}' uses RDS IAM database authentication for {} ({} by class, from irsa.rds.host / port /"
                + " user)", beanName, endpoint, BY_NAME);
    }

    private synchronized ApplicationRds.Binding binding() {
        if (!bindingLooked) {
            binding = bindingLookup.get();
            bindingLooked = true;
        }
        return binding;
    }

    private void closeTokensAfter(String beanName) {
        for (String tokensBean : beanFactory.getBeanNamesForType(RdsAuthTokens.class)) {
            // closed after the data source, which asks it for tokens until then
            beanFactory.registerDependentBean(tokensBean, beanName);
        }
    }

    private synchronized void took(String beanName, boolean byName) {
        globalTaker = beanName;
        globalTakerByName = byName;
    }

    /**
     * {@code irsa.rds.host} / {@code port} describe one endpoint: a second data source taking them would sign for the
     * first one's host (or port), so start-up fails naming the per-data-source properties. Not caught below: it fails
     * start-up whether or not the data source is named. A pool naming the class takes both, always.
     *
     * @param byName whether the data source names {@link RdsIamHikariCredentialsProvider} by class
     * @return whether this data source takes the global host or port (then it is the only one so far)
     */
    private synchronized boolean takesGlobal(String beanName, Settings own, boolean byName) {
        boolean takesHost = byName || own.host() == null && global.host() != null;
        boolean takesPort = byName || own.port() == null && global.port() != null;
        if (!takesHost && !takesPort) {
            return false;
        }
        if (globalTaker == null || globalTaker.equals(beanName)) {
            return true;
        }
        String keys = takesHost && takesPort ? "irsa.rds.host and irsa.rds.port" : takesHost ? "irsa.rds.host" : "irsa.rds.port";
        String message;
        if (!byName && !globalTakerByName) {
            message = keys + " describe the endpoint of one data source, and both '" + globalTaker + "' and '" + beanName
                    + "' would sign for it. Describe each data source on its own instead: " + PREFIX + "." + globalTaker
                    + ".host / .port and " + PREFIX + "." + beanName + ".host / .port (each defaults to its URL's), and"
                    + " remove " + keys + ".";
        } else {
            StringBuilder m = new StringBuilder(keys + " describe the endpoint of one data source, and both '"
                    + globalTaker + "' and '" + beanName + "' would sign for it.");
            java.util.List<String> switched = new java.util.ArrayList<>();
            for (String[] pool : new String[][] {{globalTaker, String.valueOf(globalTakerByName)},
                    {beanName, String.valueOf(byName)}}) {
                if (Boolean.parseBoolean(pool[1])) {
                    m.append(" '").append(pool[0]).append("' names ").append(BY_NAME).append(" by class"
                            + " (credentials-provider-class-name), which signs for irsa.rds.host / port / user alone.");
                } else {
                    switched.add(pool[0]);
                }
            }
            if (switched.isEmpty()) {
                m.append(" Only one pool of a context can name it by class: switch the other with irsa.rds.enabled=true"
                        + " and " + PREFIX + ".<bean>.host / .port / .user instead of the class name.");
            } else {
                String other = switched.get(0);
                m.append(" Describe '").append(other).append("' on its own instead: ").append(PREFIX).append('.')
                        .append(other).append(".host and .port (each defaults to its URL's).");
            }
            message = m.toString();
        }
        throw new org.springframework.beans.factory.BeanCreationException(beanName, message);
    }

    /** The URL's host and port, region and user not yet checked (placeholders). */
    private static RdsEndpoint urlEndpoint(HikariDataSource ds, String beanName) {
        if (ds.getJdbcUrl() == null) {
            throw new IllegalArgumentException("it has no jdbcUrl (a pool configured through a DataSource class is"
                    + " not supported)");
        }
        try {
            return RdsEndpoint.fromJdbcUrl(ds.getJdbcUrl(), "placeholder", "us-east-1");
        } catch (IllegalArgumentException e) {
            // no cause: this message, naming the property to set, is the one shown
            throw new IllegalArgumentException(e.getMessage() + " To sign for another host and port than the URL's,"
                    + " set " + PREFIX + "." + beanName + ".host and " + PREFIX + "." + beanName + ".port.");
        }
    }

    private static String describe(HikariDataSource ds, String beanName) {
        String url = ds.getJdbcUrl();
        int hostStart = url.indexOf("://");
        // RdsEndpoint.fromJdbcUrl has parsed it: up to the host, no user info, no query
        return hostStart < 0 ? "(unknown)" : url.substring(0, hostStart + 3) + urlEndpoint(ds, beanName).host() + "...";
    }

    /** Settings first, then the URL; the region from the host signed for unless given. */
    private static RdsEndpoint endpoint(HikariDataSource ds, String beanName, Settings s) {
        String user = s.user() != null ? s.user() : ds.getUsername();
        if (s.host() != null && s.port() != null) {
            return RdsEndpoint.of(s.host(), s.port(), user, s.region());
        }
        RdsEndpoint url = urlEndpoint(ds, beanName);
        return RdsEndpoint.of(s.host() != null ? s.host() : url.host(), s.port() != null ? s.port() : url.port(), user,
                s.region());
    }

    /** After {@code @ConfigurationProperties} binding, which sets the URL and user. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public String toString() {
        return "HikariIamPostProcessor[" + (!switching ? BY_NAME + " by class" : named == null ? "RDS hosts"
                : named.keySet()) + "]";
    }
}
