package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The suite runs on the kafka-clients the build selected ({@code -Dkafka.clients.version}, e.g. 3.9.1, Spring Boot
 * 3.5's; by default the broker's version): guards against a version switch that silently changes nothing.
 */
class KafkaClientsLineTest {
    @Test
    void runsOnTheKafkaClientsTheBuildSelected() throws Exception {
        String selected = System.getProperty("kafka.clients.version");
        assertThat(selected).as("kafka.clients.version passed by the build").isNotBlank();
        // The version file of the jar the client classes come from (AppInfoParser moved packages in 4.x).
        URL jar = KafkaProducer.class.getProtectionDomain().getCodeSource().getLocation();
        Properties p = new Properties();
        try (InputStream in = new URL("jar:" + jar + "!/kafka/kafka-version.properties").openStream()) {
            p.load(in);
        }
        assertThat(p.getProperty("version")).as("kafka-clients on the class path (%s)", jar).isEqualTo(selected);
    }
}
