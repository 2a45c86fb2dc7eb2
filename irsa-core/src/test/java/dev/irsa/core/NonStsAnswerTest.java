package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.StsAssumeRoleExchange;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.StsCall;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What stands between a pod and STS is often a proxy, a load balancer or a middlebox, and what it answers is
 * not an STS document: an HTML 503, an empty 502, XML cut off mid-document, garbage, or a body far too large.
 * Each goes over loopback HTTP to the emulator, through our own Query-protocol client (and, in
 * {@link NonStsAnswerThroughAnSdkClientTest}, through a user's SDK {@code StsClient}), and must come out as a
 * classified {@link IrsaException} that says what happened and what to check: retried when transient, never a
 * NullPointerException, never "could not reach STS" when something did answer.
 */
class NonStsAnswerTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private final List<CredentialExchange> open = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(CredentialExchange::close);
    }

    IrsaConfig config() {
        return IrsaConfig.builder().roleArn(irsa.roleArn()).tokenFile(irsa.tokenFile()).region(irsa.region())
                .stsEndpoint(irsa.stsEndpoint()).roleSessionName("non-sts").build();
    }

    /** Whether the call goes through an SDK client (which has an exception of its own to keep as the cause). */
    boolean viaSdkClient() {
        return false;
    }

    private StsWebIdentityExchange webIdentity() {
        StsWebIdentityExchange x = new StsWebIdentityExchange(config());
        open.add(x);
        return x;
    }

    private IrsaException failure(CredentialExchange x, int maxAttempts) throws Exception {
        secrets.add(Files.readString(irsa.tokenFile()));
        try {
            x.exchange(maxAttempts);
        } catch (IrsaException e) {
            for (String s : secrets) {
                assertThat(e.getMessage()).doesNotContain(s);
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    assertThat(String.valueOf(c.getMessage())).doesNotContain(s);
                }
            }
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError("expected an IrsaException, got " + e, e);
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void anHtml503FromAProxyIsRetriedThenExplained(IrsaEnvironment env) throws Exception {
        env.sts().faults().failNext(2, Fault.HTML_503);
        assertThat(webIdentity().exchange(3).credentials().accessKeyId()).startsWith("ASIA");
        assertThat(env.sts().calls().all()).extracting(StsCall::outcome).containsExactly("Html503", "Html503", "Success");

        env.sts().calls().clear();
        env.sts().faults().failAlways(Fault.HTML_503);
        IrsaException e = failure(webIdentity(), 3);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Html503")).isEqualTo(3);
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.stsErrorCode()).isEmpty();
        assertThat(e.getMessage()).contains("HTTP 503 from " + env.stsEndpoint())
                .contains("not an STS response").contains("text/html").contains("proxy").contains("HTTPS_PROXY");
        if (viaSdkClient()) {
            assertThat(e.getCause()).as("the SDK's exception is kept").isNotNull();
        }
    }

    @Test
    void anEmpty502IsRetriedThenExplained(IrsaEnvironment env) throws Exception {
        env.sts().faults().failAlways(Fault.EMPTY_502);
        IrsaException e = failure(webIdentity(), 2);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Empty502")).isEqualTo(2);
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.getMessage()).contains("HTTP 502").contains("empty body").contains("not an STS response");
    }

    @Test
    void aTruncatedOrGarbage200IsAnAnswerThatCouldNotBeParsedNotAnUnreachableSts(IrsaEnvironment env) throws Exception {
        for (Fault f : new Fault[] {Fault.TRUNCATED_XML, Fault.GARBAGE_200}) {
            env.sts().calls().clear();
            env.sts().faults().clear();
            env.sts().faults().failNext(1, f);
            assertThat(webIdentity().exchange(2).credentials()).as(f.name()).isNotNull();
            assertThat(env.sts().calls().all()).extracting(StsCall::outcome).containsExactly(f.outcome(), "Success");

            env.sts().faults().failAlways(f);
            IrsaException e = failure(webIdentity(), 2);
            assertThat(e.kind()).as(f.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.getMessage()).as(f.name()).doesNotContain("Could not reach").doesNotContain("network egress")
                    .contains("HTTP 200").contains("could not be parsed").contains(env.stsEndpoint().toString());
        }
    }

    @Test
    void aHugeBodyIsReadBoundedAndRefused(IrsaEnvironment env) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (Fault f : new Fault[] {Fault.HUGE_HTML_503, Fault.HUGE_200}) {
            env.sts().faults().clear();
            StsWebIdentityExchange x = webIdentity();
            x.exchange(1); // warm up: building the client and the first call allocate megabytes of their own
            env.sts().faults().failAlways(f);
            long sentBefore = env.sts().rawFaultBytesSent();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            IrsaException e = failure(x, 1);
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            long millis = (System.nanoTime() - t0) / 1_000_000;
            // Give the emulator a moment to notice the closed connection before reading its counter.
            Thread.sleep(200);
            long sent = env.sts().rawFaultBytesSent() - sentBefore;
            System.out.printf("%s: allocated %,d bytes on the calling thread, emulator sent %,d of %,d bytes, %d ms%n",
                    f, allocated, sent, Fault.HUGE_BODY_BYTES, millis);
            assertThat(e.getMessage()).as(f.name()).contains("larger than").contains("HTTP " + f.status());
            assertThat(allocated).as(f.name() + ": bytes allocated while reading").isLessThan(16L * 1024 * 1024);
            assertThat(sent).as(f.name() + ": the client stopped reading").isLessThan(Fault.HUGE_BODY_BYTES / 2);
        }
    }

    @Test
    void assumeRoleSeesTheSameClassificationWithoutANullPointer(IrsaEnvironment env) throws Exception {
        IrsaConfig source = config();
        IrsaCredentials sourceCredentials = webIdentity().exchange(1).credentials();
        secrets.add(sourceCredentials.secretAccessKey());
        secrets.add(sourceCredentials.sessionToken());
        String target = env.sts().createRole(env.accountId(), "chained-target", "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + irsa.roleArn() + "\"},\"Action\":\"sts:AssumeRole\"}]}",
                Duration.ofHours(1));
        StsAssumeRoleExchange chained = new StsAssumeRoleExchange(ChainedRoleConfig.builder(target).build(), source,
                () -> java.util.concurrent.CompletableFuture.completedFuture(sourceCredentials));
        chained.ready().join();
        open.add(chained);
        for (Fault f : new Fault[] {Fault.HTML_503, Fault.EMPTY_502}) {
            env.sts().calls().clear();
            env.sts().faults().clear();
            env.sts().faults().failAlways(f).onlyFor("AssumeRole");
            IrsaException e = failure(chained, 3);
            assertThat(e.kind()).as(f.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.getMessage()).as(f.name()).contains("HTTP " + f.status()).contains("not an STS response")
                    .contains(target);
            assertThat(env.sts().calls().count("AssumeRole", f.outcome())).as(f.name()).isEqualTo(3);
        }
        env.sts().faults().clear();
        env.sts().faults().failNext(1, Fault.TRUNCATED_XML).onlyFor("AssumeRole");
        assertThat(chained.exchange(2).credentials().assumedRoleArn()).contains("chained-target");
    }

    @Test
    void noNullPointerForAnyNonStsAnswer(IrsaEnvironment env) throws Exception {
        for (Fault f : Fault.values()) {
            if (!f.notAnStsAnswer()) {
                continue;
            }
            env.sts().faults().clear();
            env.sts().faults().failAlways(f);
            assertThatThrownBy(() -> webIdentity().exchange(1)).as(f.name()).isInstanceOf(IrsaException.class)
                    .hasMessageContaining(env.stsEndpoint().toString());
        }
    }
}
