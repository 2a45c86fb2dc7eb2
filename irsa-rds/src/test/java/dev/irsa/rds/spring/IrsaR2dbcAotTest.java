package dev.irsa.rds.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.core.env.MapPropertySource;
import org.springframework.javapoet.ClassName;

/**
 * Spring AOT (and so a native image) can process a context with {@link IrsaR2dbcAutoConfiguration} switched on: its
 * customizer bean is an ordinary {@code @Bean} of a concrete class, no instance supplier, no proxy.
 */
class IrsaR2dbcAotTest {
    @Test
    void aotProcessingGeneratesTheCustomizerBeanDefinition() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                    "irsa.rds.enabled", "true",
                    "spring.r2dbc.url", "r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com/app",
                    "spring.r2dbc.username", "app")));
            context.register(IrsaR2dbcAutoConfigurationTest.r2dbcAutoConfiguration(), IrsaR2dbcAutoConfiguration.class);
            InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new org.springframework.aot.generate.ClassNameGenerator(ClassName.get(IrsaR2dbcAotTest.class)), files);

            new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
            generation.writeGeneratedContent();

            String sources = String.join("\n", files.getGeneratedFiles(GeneratedFiles.Kind.SOURCE).values().stream()
                    .map(f -> {
                        try (var in = f.getInputStream()) {
                            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList());
            assertThat(sources).contains("\"irsaRdsR2dbcCustomizer\"").containsAnyOf("Boot4R2dbcCustomizer", "Boot3R2dbcCustomizer")
                    .doesNotContain("Proxy");
        }
    }
}
