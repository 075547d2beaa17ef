package dev.fanout.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** A sink connector that POSTs each record's value to one URL (see HttpSinkTask). */
public final class HttpSinkConnector extends SinkConnector {
  static final String URL = "http.url";
  static final ConfigDef CONFIG =
      new ConfigDef().define(URL, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "endpoint");

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return HttpSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) configs.add(props);
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return CONFIG;
  }

  @Override
  public String version() {
    return "1.0.0";
  }
}
