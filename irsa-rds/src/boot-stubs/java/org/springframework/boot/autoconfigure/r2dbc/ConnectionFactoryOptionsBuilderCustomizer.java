package org.springframework.boot.autoconfigure.r2dbc;

import io.r2dbc.spi.ConnectionFactoryOptions;

/**
 * Compile-time stand-in for Spring Boot 3.5's interface of this name, with its one method, so that irsa-rds compiles its
 * customizer for both Spring Boot lines in one build. Compiled before irsa-rds's classes and deleted from
 * target/classes right after (see irsa-rds's pom.xml): never in the jar or on the test class path, where the real
 * interface of the line under test is.
 */
@FunctionalInterface
public interface ConnectionFactoryOptionsBuilderCustomizer {
    /**
     * Customizes the options.
     *
     * @param builder the options builder
     */
    void customize(ConnectionFactoryOptions.Builder builder);
}
