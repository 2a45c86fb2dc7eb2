package dev.irsa.examples.quarkus;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code PUT /objects/{key}} and {@code GET /objects/{key}}: text objects in the application's bucket, through the
 * {@link S3Client} that Quarkiverse's {@code quarkus-amazon-s3} builds (signed with the IRSA session's credentials:
 * see {@code application.properties}).
 */
@Path("/objects/{key}")
public class ObjectResource {
    @Inject
    S3Client s3;

    @ConfigProperty(name = "app.bucket")
    String bucket;

    @PUT
    @Consumes(MediaType.TEXT_PLAIN)
    public void put(@PathParam("key") String key, String text) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(text));
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String get(@PathParam("key") String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }
}
