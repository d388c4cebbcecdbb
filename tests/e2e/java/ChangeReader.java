// A marketing system on the JVM: reads one record the platform published (structured mode) with
// the CloudEvents Java SDK's Kafka binding and prints `type tenant subject data`.
// Arguments: bootstrap topic partition offset.
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public final class ChangeReader {
    public static void main(String[] args) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition partition = new TopicPartition(args[1], Integer.parseInt(args[2]));
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, Long.parseLong(args[3]));
            for (int tries = 0; tries < 50; tries++) {
                for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    CloudEvent event = record.value();
                    String data = new String(event.getData().toBytes(), StandardCharsets.UTF_8);
                    System.out.println(event.getType() + " " + event.getExtension("tenant") + " "
                            + event.getSubject() + " " + data);
                    return;
                }
            }
            System.exit(3);
        }
    }
}
