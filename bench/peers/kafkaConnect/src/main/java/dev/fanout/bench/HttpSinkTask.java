package dev.fanout.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * Delivers each record of a batch in turn, as an HTTP sink connector does: one POST of the
 * record's bytes (ByteArrayConverter) at a time with the JDK's HTTP client. A failure throws a
 * retriable error, so Connect hands the batch again and commits nothing past it.
 */
public final class HttpSinkTask extends SinkTask {
  private HttpClient http;
  private URI url;

  @Override
  public void start(Map<String, String> props) {
    url = URI.create(props.get(HttpSinkConnector.URL));
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    for (SinkRecord record : records) {
      HttpRequest request =
          HttpRequest.newBuilder(url)
              .timeout(Duration.ofSeconds(30))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray((byte[]) record.value()))
              .build();
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 != 2) throw new RetriableException("HTTP " + status);
      } catch (IOException e) {
        throw new RetriableException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableException(e);
      }
    }
  }

  @Override
  public void stop() {}

  @Override
  public String version() {
    return "1.0.0";
  }
}
