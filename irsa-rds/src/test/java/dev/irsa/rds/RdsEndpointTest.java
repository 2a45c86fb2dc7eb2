package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.rds.internal.RdsHosts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every endpoint form the AWS Advanced JDBC Wrapper's {@code RdsUtils} recognises (2.6.4 and its main branch of
 * August 2026): the region is taken from the host as the wrapper takes it, and hosts that only look similar are not
 * taken for RDS endpoints.
 */
class RdsEndpointTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // commercial: <name>.<kind-><id>.<region>.rds.amazonaws.com
            "instance,            test-postgres-instance-1.123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "cluster (writer),    test-postgres.cluster-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "cluster reader,      test-postgres.cluster-ro-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "cluster custom,      test-postgres-alias.cluster-custom-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "proxy,               test-rds-proxy-name.proxy-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "proxy custom endpoint, test-custom-endpoint-name.endpoint.proxy-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "limitless shard group, test-limitless.shardgrp-123456789012.us-east-2.rds.amazonaws.com, us-east-2",
            "FIPS,                db.cluster-123456789012.us-east-2.rds-fips.amazonaws.com, us-east-2",
            "fully qualified (trailing dot), db.cluster-123456789012.us-east-2.rds.amazonaws.com., us-east-2",
            "upper case,          DB.CLUSTER-RO-123456789012.US-EAST-2.RDS.AMAZONAWS.COM, us-east-2",
            // China, old form: <region>.rds.amazonaws.com.cn
            "China old instance,  db.123456789012.cn-north-1.rds.amazonaws.com.cn, cn-north-1",
            "China old cluster,   db.cluster-123456789012.cn-northwest-1.rds.amazonaws.com.cn, cn-northwest-1",
            "China old proxy,     db.proxy-123456789012.cn-north-1.rds.amazonaws.com.cn, cn-north-1",
            // China, new form: rds.<region>.amazonaws.com.cn
            "China instance,      db.123456789012.rds.cn-north-1.amazonaws.com.cn, cn-north-1",
            "China cluster,       db.cluster-123456789012.rds.cn-northwest-1.amazonaws.com.cn, cn-northwest-1",
            "China reader,        db.cluster-ro-123456789012.rds.cn-northwest-1.amazonaws.com.cn, cn-northwest-1",
            "China custom,        db-alias.cluster-custom-123456789012.rds.cn-northwest-1.amazonaws.com.cn, cn-northwest-1",
            "China proxy,         db.proxy-123456789012.rds.cn-north-1.amazonaws.com.cn, cn-north-1",
            "China proxy endpoint, e.endpoint.proxy-123456789012.rds.cn-north-1.amazonaws.com.cn, cn-north-1",
            "China limitless,     db.shardgrp-123456789012.rds.cn-north-1.amazonaws.com.cn, cn-north-1",
            "China FIPS,          db.123456789012.rds-fips.cn-north-1.amazonaws.com.cn, cn-north-1",
            // GovCloud: rds.<region>.amazonaws.com, and the region-first form
            "GovCloud instance,   db.123456789012.rds.us-gov-west-1.amazonaws.com, us-gov-west-1",
            "GovCloud cluster,    db.cluster-123456789012.rds.us-gov-east-1.amazonaws.com, us-gov-east-1",
            "GovCloud reader,     db.cluster-ro-123456789012.rds.us-gov-west-1.amazonaws.com, us-gov-west-1",
            "GovCloud FIPS,       db.cluster-123456789012.rds-fips.us-gov-west-1.amazonaws.com, us-gov-west-1",
            "GovCloud region first, db.123456789012.us-gov-west-1.rds.amazonaws.com, us-gov-west-1",
            // ISO partitions: C2S and SC2S, both orders
            "C2S,                 db.cluster-123456789012.rds.us-iso-east-1.c2s.ic.gov, us-iso-east-1",
            "C2S region first,    db.123456789012.us-iso-east-1.rds.c2s.ic.gov, us-iso-east-1",
            "SC2S,                db.cluster-ro-123456789012.rds.us-isob-east-1.sc2s.sgov.gov, us-isob-east-1",
            "SC2S limitless,      db.shardgrp-123456789012.us-isob-east-1.rds.sc2s.sgov.gov, us-isob-east-1",
            // the wrapper's newer suffixes: European Sovereign Cloud, .au, .uk
            "European Sovereign Cloud, db.cluster-123456789012.eusc-de-east-1.rds.amazonaws.eu, eusc-de-east-1",
            "amazonaws.au,        db.123456789012.ap-southeast-2.rds.amazonaws.au, ap-southeast-2",
            "amazonaws.uk,        db.123456789012.eu-west-2.rds.amazonaws.uk, eu-west-2",
    })
    void everyFormTheJdbcWrapperRecognisesGivesItsRegion(String form, String host, String region) {
        assertThat(RdsHosts.isRdsHost(host)).as(form).isTrue();
        assertThat(RdsEndpoint.of(host, 5432, "u").region()).as(form).isEqualTo(region);
        assertThat(RdsEndpoint.fromJdbcUrl("jdbc:postgresql://" + host + ":5432/app", "u", null).region()).as(form)
                .isEqualTo(region);
    }

    @ParameterizedTest
    @ValueSource(strings = {"test-global-db-name.global-123456789012.global.rds.amazonaws.com"})
    void anAuroraGlobalWriterEndpointIsAnRdsHostWhoseRegionMustBeGiven(String host) {
        assertThat(RdsHosts.isRdsHost(host)).isTrue();
        assertThat(RdsHosts.regionOf(host)).isEmpty();
        assertThatThrownBy(() -> RdsEndpoint.of(host, 5432, "u")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region for the RDS endpoint " + host + " is missing");
        assertThat(RdsEndpoint.of(host, 5432, "u", "us-east-1").region()).isEqualTo("us-east-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "db.example.com", "rds.amazonaws.com", "us-east-1.rds.amazonaws.com",
            "mydb.rds.example.com", "db.abc.us-east-1.rds.amazonaws.com.evil.example", "db.abc.us-east-1.rds.amazonaws.org",
            "db.abc.notaregion.rds.amazonaws.com", "db.abc.us-east-1.elb.amazonaws.com", "db.abc.rds.amazonaws.com.cn",
            "db.abc.us-east-1.s3.amazonaws.com", "db..us-east-1.rds.amazonaws.com"})
    void hostsThatOnlyLookSimilarAreNotRdsEndpoints(String host) {
        assertThat(RdsHosts.isRdsHost(host)).isFalse();
        assertThat(RdsHosts.regionOf(host)).isEmpty();
        assertThatThrownBy(() -> RdsEndpoint.of(host, 5432, "u")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is missing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, us-east-1",
            "a1b2c3d4e5f6g7h8i9j0.dsql.eu-west-2.on.aws., eu-west-2",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ.DSQL.AP-NORTHEAST-1.ON.AWS, ap-northeast-1",
    })
    void anAuroraDsqlClusterEndpointIsAnIamHostWhoseTokensAreDsqls(String host, String region) {
        assertThat(RdsHosts.isDsqlHost(host)).isTrue();
        assertThat(RdsHosts.isRdsHost(host)).as("switched to IAM as an RDS endpoint is").isTrue();
        RdsEndpoint admin = RdsEndpoint.fromJdbcUrl("jdbc:postgresql://" + host + "/postgres", "admin", null);
        assertThat(admin.region()).isEqualTo(region);
        assertThat(admin.port()).isEqualTo(5432);
        assertThat(admin.isDsql()).isTrue();
        assertThat(admin.isDsqlAdmin()).isTrue();
        RdsEndpoint role = RdsEndpoint.of(host, 5432, "app_role");
        assertThat(role.isDsql()).isTrue();
        assertThat(role.isDsqlAdmin()).isFalse();
        assertThat(RdsEndpoint.of(host, 5432, "Admin").isDsqlAdmin()).as("role names compare exactly").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc.dsql.us-east-1.on.aws.evil.example", "dsql.us-east-1.on.aws", "abc.dsql.notaregion.on.aws",
            "abc.def.dsql.us-east-1.on.aws", "abc.dsql.us-east-1.amazonaws.com", "abc.dsql-fips.us-east-1.on.aws"})
    void hostsThatOnlyLookLikeDsqlEndpointsAreNot(String host) {
        assertThat(RdsHosts.isDsqlHost(host)).isFalse();
        assertThat(RdsHosts.isRdsHost(host)).isFalse();
        assertThat(RdsEndpoint.of(host, 5432, "admin", "us-east-1").isDsql()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mydb.abc123.us-west-2.rds.amazonaws.com", "127.0.0.1"})
    void anRdsOrOtherEndpointIsNotDsqlWhateverItsUser(String host) {
        assertThat(RdsEndpoint.of(host, 5432, "admin", "us-west-2").isDsql()).isFalse();
        assertThat(RdsEndpoint.of(host, 5432, "admin", "us-west-2").isDsqlAdmin()).isFalse();
    }
}
