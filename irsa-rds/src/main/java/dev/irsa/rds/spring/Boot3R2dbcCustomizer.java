package dev.irsa.rds.spring;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.springframework.boot.autoconfigure.r2dbc.ConnectionFactoryOptionsBuilderCustomizer;

/** {@link R2dbcIamCustomizer} as Spring Boot 3.5's customizer (spring-boot-autoconfigure). */
final class Boot3R2dbcCustomizer implements ConnectionFactoryOptionsBuilderCustomizer {
    private final R2dbcIamCustomizer target;

    Boot3R2dbcCustomizer(R2dbcIamCustomizer target) {
        this.target = target;
    }

    @Override
    public void customize(ConnectionFactoryOptions.Builder builder) {
        target.customize(builder);
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
