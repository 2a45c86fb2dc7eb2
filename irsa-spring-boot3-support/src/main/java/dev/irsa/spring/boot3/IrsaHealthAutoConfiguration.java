package dev.irsa.spring.boot3;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;

/**
 * Registers the {@code irsa} health contributor on Spring Boot 3 when Actuator's health support is present.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "dev.irsa.spring.IrsaAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(IrsaCredentialsProvider.class)
@ConditionalOnEnabledHealthIndicator("irsa")
public class IrsaHealthAutoConfiguration {
    /** Creates the auto-configuration; Spring instantiates it. */
    public IrsaHealthAutoConfiguration() {
    }

/**
 * Registers the IRSA health indicator unless a bean named {@code irsaHealthIndicator} already exists.
 *
 * @param provider the credentials provider whose state is reported
 * @return a health indicator for {@code provider} using the UTC system clock
 */
    @Bean
    @ConditionalOnMissingBean(name = "irsaHealthIndicator")
    public IrsaHealthIndicator irsaHealthIndicator(IrsaCredentialsProvider provider) {
        return new IrsaHealthIndicator(provider, Clock.systemUTC());
    }
}
