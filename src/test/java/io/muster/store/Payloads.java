package io.muster.store;

import io.muster.common.Event;
import java.util.Map;

/** An event's payload as the journal and the live stream carry it (JSON), for assertions. */
public final class Payloads {
  private Payloads() {
  }

  public static Map<String, Object> of(Event event) {
    return EventJson.map(EventJson.write(event));
  }

  public static Map<String, Object> of(NewEvent event) {
    return of(event.event());
  }
}
