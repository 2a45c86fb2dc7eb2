package dev.irsa.examples.quarkus;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@code GET /identity}: who this pod is to AWS (STS GetCallerIdentity, signed with the IRSA session's credentials). */
@Path("/identity")
public class IdentityResource {
    @Inject
    StsClient sts;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String identity() {
        GetCallerIdentityResponse me = sts.getCallerIdentity();
        return me.arn();
    }
}
