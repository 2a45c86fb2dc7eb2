package dev.irsa.rds.spring;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;

/** {@link R2dbcIamCustomizer} as Spring Boot 4's customizer (spring-boot-r2dbc). */
final class Boot4R2dbcCustomizer implements ConnectionFactoryOptionsBuilderCustomizer {
    private final R2dbcIamCustomizer target;

    Boot4R2dbcCustomizer(R2dbcIamCustomizer target) {
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
