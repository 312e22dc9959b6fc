package io.muster.app;

import io.muster.common.Event;
import io.muster.incident.domain.IncidentEvent;
import io.muster.notify.domain.NotifyEvent;
import io.muster.playbook.domain.PlaybookEvent;
import io.muster.readiness.domain.ReadinessEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every event Muster journals, feature by feature: each feature declares its events as a sealed
 * interface of records ({@code IncidentEvent}, {@code PlaybookEvent}, {@code NotifyEvent},
 * {@code ReadinessEvent}); this is the one place that lists those interfaces, and so every event
 * type. A node checks the catalog when it starts.
 */
final class EventCatalog {
  static final List<Class<? extends Event>> FEATURES =
      List.of(IncidentEvent.class, PlaybookEvent.class, NotifyEvent.class, ReadinessEvent.class);

  private EventCatalog() {
  }

  /** Every event record, in the order the features and their interfaces declare them. */
  @SuppressWarnings("unchecked")
  static List<Class<? extends Event>> types() {
    List<Class<? extends Event>> types = new ArrayList<>();
    for (Class<? extends Event> feature : FEATURES) {
      for (Class<?> type : feature.getPermittedSubclasses()) {
        types.add((Class<? extends Event>) type);
      }
    }
    return types;
  }

  /** The names of the events every user is shown whatever their facilities ({@link Event.Broadcast}). */
  static Set<String> broadcast() {
    Set<String> names = new LinkedHashSet<>();
    types().stream().filter(Event.Broadcast.class::isAssignableFrom).forEach(t -> names.add(Event.typeOf(t)));
    return names;
  }

  /** Refuses a catalog with an unnamed event, a name that is not dotted lowercase, or a name used twice. */
  static void check() {
    Set<String> seen = new LinkedHashSet<>();
    for (Class<? extends Event> type : types()) {
      String name = Event.typeOf(type);
      if (!name.matches("[a-z]+\\.[a-z-]+") || !seen.add(name)) {
        throw new IllegalStateException("event catalog: " + type.getName() + " is named '" + name
            + "', which is not dotted lowercase or is used twice");
      }
    }
  }
}
