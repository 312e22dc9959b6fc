package io.muster.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muster.common.Event;
import java.util.Map;

/** Events as JSON: a record's components are its payload, written and read by Jackson. */
public final class EventJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

  private EventJson() {
  }

  public static String write(Event event) {
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(event.getClass().getSimpleName() + ": not serialisable", e);
    }
  }

  /** The payload as the live stream and the API show it. */
  public static Map<String, Object> map(String json) {
    try {
      return JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("journal payload is not JSON", e);
    }
  }

  /** A stored event's payload read back as its record. */
  public static <T extends Event> T read(Map<String, Object> payload, Class<T> type) {
    return JSON.convertValue(payload, type);
  }
}
