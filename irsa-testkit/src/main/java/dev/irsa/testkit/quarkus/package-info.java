/**
 * The emulators as Quarkus test resources: {@code @WithTestResource(IrsaEmulatorResource.class)} (or
 * {@link dev.irsa.testkit.quarkus.PodIdentityEmulatorResource}) on a {@code @QuarkusTest} starts them before the
 * application and hands it the pod's variables as configuration. Needs {@code io.quarkus:quarkus-junit} (which the
 * test brings).
 *
 * @since 0.1.0
 */
package dev.irsa.testkit.quarkus;
