package dev.fanout.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The key-ordered peer: Confluent Parallel Consumer in KEY order, each record POSTed as it was
 * produced with the JDK's HTTP client, a record settled only on a 2xx (otherwise the failure
 * makes the library retry it). Arguments: brokers topic group url maxConcurrency.
 */
public final class KeyOrderedHttpPush {
  public static void main(String[] args) throws Exception {
    String brokers = args[0];
    String topic = args[1];
    String group = args[2];
    URI url = URI.create(args[3]);
    int concurrency = Integer.parseInt(args[4]);

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the library commits for itself
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    ParallelConsumerOptions<byte[], byte[]> options =
        ParallelConsumerOptions.<byte[], byte[]>builder()
            .ordering(ProcessingOrder.KEY)
            .maxConcurrency(concurrency)
            .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
            .consumer(consumer)
            .build();
    ParallelStreamProcessor<byte[], byte[]> processor =
        ParallelStreamProcessor.createEosStreamProcessor(options);

    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    processor.subscribe(List.of(topic));
    processor.poll(
        context -> {
          HttpRequest request =
              HttpRequest.newBuilder(url)
                  .timeout(Duration.ofSeconds(30))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(context.value()))
                  .build();
          try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) throw new IllegalStateException("HTTP " + status);
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
    Runtime.getRuntime().addShutdownHook(new Thread(processor::close));
    System.out.println("parallel consumer running");
  }
}
