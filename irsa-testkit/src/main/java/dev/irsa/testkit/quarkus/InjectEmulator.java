package dev.irsa.testkit.quarkus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code @QuarkusTest}'s field that receives the running emulator: an
 * {@link dev.irsa.testkit.IrsaEnvironment} from {@link IrsaEmulatorResource}, a
 * {@link dev.irsa.testkit.PodIdentityEnvironment} from {@link PodIdentityEmulatorResource}.
 *
 * @since 0.1.0
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectEmulator {
}
