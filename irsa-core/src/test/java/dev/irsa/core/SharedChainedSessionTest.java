package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chained sessions from shared sessions are shared in the registry like the base ones (issue 20 review #2): keyed by
 * the source session's key and the chained role's settings, reference-counted, kept for resuming.
 */
class SharedChainedSessionTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @BeforeEach
    @AfterEach
    void isolate() {
        TestIsolation.reset();
    }

    private static String targetRole(IrsaEnvironment env, String name) {
        return env.sts().createRole("444455556666", name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
    }

    private static IrsaConfig config(IrsaEnvironment env) {
        return IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint()).roleSessionName("shared-chain").build();
    }

    @Test
    void twoHoldsChainingTheSameRoleShareOneChainedSession(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "shared-target"))
                .roleSessionName("fixed").build();
        long before = SessionRegistry.global().size();
        try (IrsaSession a = IrsaSession.shared(config(env)); IrsaSession b = IrsaSession.shared(config(env));
             IrsaSession chainedA = a.assumeRole(target);
             IrsaSession chainedB = b.assumeRole(ChainedRoleConfig.builder(target.roleArn().toString())
                     .roleSessionName("fixed").build())) {
            assertThat(chainedA.credentials().accessKeyId()).isEqualTo(chainedB.credentials().accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("base").isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRole")).as("chained").isEqualTo(1);
            assertThat(IrsaSession.sameEngine(chainedA, chainedB)).isTrue();
            assertThat(SessionRegistry.global().size()).as("one base, one chained").isEqualTo(before + 2);
        }
        assertThat(SessionRegistry.global().size()).as("both released with their last holders").isEqualTo(before);
    }

    @Test
    void aSharedChainedSessionOutlivesTheHandleItWasChainedFrom(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "outliving-target")).build();
        long before = SessionRegistry.global().size();
        IrsaSession chained;
        try (IrsaSession base = IrsaSession.shared(config(env))) {
            chained = base.assumeRole(target);
        }
        try {
            assertThat(chained.credentials().accessKeyId()).as("signs with its own share of the base session")
                    .startsWith("ASIA");
            assertThat(env.sts().calls().count("AssumeRole", "Success")).isEqualTo(1);
        } finally {
            chained.close();
        }
        assertThat(SessionRegistry.global().size()).isEqualTo(before);
    }

    @Test
    void chainedRolesThatDifferAreNotMerged(IrsaEnvironment env) {
        String role = targetRole(env, "differing-target");
        try (IrsaSession base = IrsaSession.shared(config(env));
             IrsaSession plain = base.assumeRole(ChainedRoleConfig.builder(role).build());
             IrsaSession named = base.assumeRole(ChainedRoleConfig.builder(role).roleSessionName("other").build());
             IrsaSession external = base.assumeRole(ChainedRoleConfig.builder(role).externalId("ext-1").build());
             IrsaSession shorter = base.assumeRole(ChainedRoleConfig.builder(role)
                     .sessionDuration(Duration.ofMinutes(15)).build())) {
            for (IrsaSession s : new IrsaSession[] {plain, named, external, shorter}) {
                s.credentials();
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRole")).isEqualTo(4);
        }
    }

    @Test
    void aClosedSharedChainedSessionIsResumedByTheNextHoldWithoutAnStsCall(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "resumed-target")).build();
        String key;
        try (IrsaSession base = IrsaSession.shared(config(env)); IrsaSession chained = base.assumeRole(target)) {
            key = chained.credentials().accessKeyId();
        }
        try (IrsaSession base = IrsaSession.shared(config(env)); IrsaSession chained = base.assumeRole(target)) {
            assertThat(chained.credentials().accessKeyId()).isEqualTo(key);
        }
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        assertThat(env.sts().calls().count("AssumeRole")).isEqualTo(1);
    }

    @Test
    void sessionsOfTheirOwnStillChainSessionsOfTheirOwn(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "own-target")).build();
        try (IrsaSession base = IrsaSession.create(config(env)); IrsaSession a = base.assumeRole(target);
             IrsaSession b = base.assumeRole(target)) {
            a.credentials();
            b.credentials();
            assertThat(IrsaSession.sameEngine(a, b)).isFalse();
            assertThat(env.sts().calls().count("AssumeRole")).isEqualTo(2);
        }
    }
}
