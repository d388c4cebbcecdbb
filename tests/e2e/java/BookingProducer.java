// A booking system on the JVM: publishes one `reservation.booked` with the CloudEvents Java SDK's
// Kafka binding (binary content mode, its default), keyed {tenant}:{customer}, carrying a `data`
// field the platform does not know. Arguments: bootstrap topic tenant customer event-id arrival.
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public final class BookingProducer {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1], tenant = args[2], customer = args[3];
        String id = args[4], arrival = args[5];
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class);
        config.put(CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        String data = "{\"reservation_id\": \"r-" + id + "\", \"arrival_date\": \"" + arrival
                + "\", \"room_type\": \"suite\"}";
        CloudEvent event = CloudEventBuilder.v1()
                .withId(id)
                .withSource(URI.create("urn:java-booking"))
                .withType("reservation.booked")
                .withTime(OffsetDateTime.now())
                .withSubject(customer)
                .withExtension("tenant", tenant)
                .withDataContentType("application/json")
                .withData(data.getBytes(StandardCharsets.UTF_8))
                .build();
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, tenant + ":" + customer, event)).get();
        }
    }
}
