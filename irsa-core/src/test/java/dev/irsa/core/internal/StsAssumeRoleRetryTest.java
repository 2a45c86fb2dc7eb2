package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.StsCall;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Role chaining retries through the same backoff as the web-identity exchange, against the emulator. */
class StsAssumeRoleRetryTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private StsWebIdentityExchange webIdentity;
    private StsAssumeRoleExchange chained;

    @BeforeEach
    void setUp() {
        IrsaConfig source = IrsaConfig.builder().roleArn(irsa.roleArn()).tokenFile(irsa.tokenFile()).region(irsa.region())
                .stsEndpoint(irsa.stsEndpoint()).roleSessionName("chain-retry").build();
        webIdentity = new StsWebIdentityExchange(source);
        IrsaCredentials sourceCredentials = webIdentity.exchange(1).credentials();
        IrsaEnvironment env = irsa.environment();
        String target = env.sts().createRole(env.accountId(), "retry-target", "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + irsa.roleArn() + "\"},\"Action\":\"sts:AssumeRole\"}]}",
                Duration.ofHours(1));
        chained = new StsAssumeRoleExchange(ChainedRoleConfig.builder(target).build(), source,
                () -> java.util.concurrent.CompletableFuture.completedFuture(sourceCredentials));
        chained.ready().join();
        env.sts().calls().clear();
    }

    @AfterEach
    void tearDown() {
        chained.close();
        webIdentity.close();
    }

    @Test
    void throttledAssumeRoleCallsAreSpacedByTheSharedBackoff(IrsaEnvironment env) {
        List<Long> pauses = new ArrayList<>();
        // No jitter here, so the pauses show the exponential caps themselves.
        chained.retry(new StsRetry(pauses::add, cap -> cap));
        env.sts().faults().failNext(3, Fault.THROTTLING).onlyFor("AssumeRole");
        assertThat(chained.exchange(4).stsCalls()).isEqualTo(4);
        assertThat(env.sts().calls().all()).extracting(StsCall::outcome)
                .containsExactly("Throttling", "Throttling", "Throttling", "Success");
        assertThat(pauses).containsExactly(100L, 200L, 400L);
    }

    @Test
    void anOutageOfHtmlPagesIsRetriedWithPausesThenReported(IrsaEnvironment env) {
        List<Long> pauses = new ArrayList<>();
        chained.retry(new StsRetry(pauses::add, cap -> cap));
        env.sts().faults().failAlways(Fault.HTML_503).onlyFor("AssumeRole");
        assertThatThrownBy(() -> chained.exchange(3)).isInstanceOf(dev.irsa.core.IrsaException.class)
                .hasMessageContaining("HTTP 503");
        assertThat(env.sts().calls().count("AssumeRole", "Html503")).isEqualTo(3);
        assertThat(pauses).containsExactly(100L, 200L);
    }

    @Test
    void nonRetryableErrorsAreNotPausedFor(IrsaEnvironment env) {
        List<Long> pauses = new ArrayList<>();
        chained.retry(new StsRetry(pauses::add, cap -> cap));
        env.sts().faults().failAlways(Fault.REGION_DISABLED).onlyFor("AssumeRole");
        assertThatThrownBy(() -> chained.exchange(3)).isInstanceOf(dev.irsa.core.IrsaException.class);
        assertThat(env.sts().calls().count("AssumeRole")).isEqualTo(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void theStandardJitterStaysWithinTheCaps() {
        for (int failures = 1; failures <= 12; failures++) {
            long cap = StsRetry.cap(failures);
            assertThat(cap).isBetween(100L, StsRetry.MAX_PAUSE_MILLIS);
            List<Long> pauses = new ArrayList<>();
            int f = failures;
            new StsRetry(pauses::add, c -> java.util.concurrent.ThreadLocalRandom.current().nextLong(StsRetry.MIN_PAUSE_MILLIS, c + 1))
                    .run(f + 1, new java.util.function.Supplier<Object>() {
                        int n;

                        @Override
                        public Object get() {
                            if (n++ < f) {
                                throw new dev.irsa.core.IrsaException(dev.irsa.core.IrsaException.Kind.RETRYABLE, "transient");
                            }
                            return "ok";
                        }
                    });
            for (int i = 0; i < pauses.size(); i++) {
                assertThat(pauses.get(i)).isBetween(StsRetry.MIN_PAUSE_MILLIS, StsRetry.cap(i + 1));
            }
            assertThat(pauses).hasSize(failures);
        }
    }
}
