package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.Event;
import io.muster.store.EventJson;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventCatalogTest {
  @Test
  @DisplayName("every event is a record with a unique dotted-lowercase name, and the catalog's check passes")
  void everyEventNamedOnce() {
    List<Class<? extends Event>> types = EventCatalog.types();
    assertThat(types).hasSizeGreaterThan(35).allMatch(Class::isRecord);
    assertThat(types.stream().map(Event::typeOf).toList()).doesNotHaveDuplicates()
        .allMatch(n -> n.matches("[a-z]+\\.[a-z-]+"));
    EventCatalog.check();
  }

  @Test
  @DisplayName("every event reads back from its journal JSON as the record it was")
  void roundTrip() throws Exception {
    for (Class<? extends Event> type : EventCatalog.types()) {
      Event sample = sample(type);
      Map<String, Object> payload = EventJson.map(EventJson.write(sample));
      assertThat(EventJson.read(payload, type)).as(type.getSimpleName()).isEqualTo(sample);
    }
  }

  @Test
  @DisplayName("the events every user is shown are the SMS path's degraded and recovered")
  void broadcast() {
    assertThat(EventCatalog.broadcast()).containsExactly("sms.degraded", "sms.recovered");
  }

  /** A record of the type with a distinct value in each component. */
  private static Event sample(Class<? extends Event> type) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    List<Object> values = new ArrayList<>();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      values.add(value(types[i], i));
    }
    Constructor<? extends Event> constructor = type.getDeclaredConstructor(types);
    return constructor.newInstance(values.toArray());
  }

  private static Object value(Class<?> type, int i) throws Exception {
    if (type == String.class) {
      return "v" + i;
    } else if (type == int.class || type == Integer.class) {
      return 10 + i;
    } else if (type == long.class || type == Long.class) {
      return 100L + i;
    } else if (type == boolean.class || type == Boolean.class) {
      return i % 2 == 0;
    } else if (type == List.class) {
      return List.of("a" + i, "b" + i);
    } else if (type == Map.class) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("k" + i, "v" + i);
      return m;
    } else if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int j = 0; j < components.length; j++) {
        types[j] = components[j].getType();
        args[j] = value(types[j], j);
      }
      return type.getDeclaredConstructor(types).newInstance(args);
    }
    throw new IllegalArgumentException("no sample for " + type);
  }
}
