package dev.irsa.examples.micronaut;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import software.amazon.awssdk.services.sts.StsClient;

/** {@code GET /whoami}: the ARN STS's GetCallerIdentity returns for the pod's credentials. */
@Controller("/whoami")
class WhoAmIController {
    private final StsClient sts;

    WhoAmIController(StsClient sts) {
        this.sts = sts;
    }

    @Get(produces = MediaType.TEXT_PLAIN)
    @ExecuteOn(TaskExecutors.BLOCKING)
    String whoami() {
        return sts.getCallerIdentity().arn();
    }
}
