package io.muster.incident;

import io.muster.incident.domain.IncidentFacts;
import io.muster.notify.domain.Notification;
import io.muster.store.JournalBus;
import io.muster.store.JournalEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** The JSON of one incident with its notifications, acknowledgements and timeline. */
final class IncidentViews {
  private IncidentViews() {
  }

  static JsonObject detail(Incidents.Detail d) {
    JsonArray notifications = new JsonArray();
    JsonArray acks = new JsonArray();
    int unknown = 0;
    for (Notification n : d.notifications()) {
      boolean deliveryUnknown = n.deliveryUnknown(d.sentBy());
      unknown += deliveryUnknown ? 1 : 0;
      notifications.add(notification(n).put("deliveryUnknown", deliveryUnknown));
      if (n.ackedAt() != null) {
        acks.add(new JsonObject().put("notificationId", n.id()).put("staffId", n.staffId())
            .put("staffName", n.staffName()).put("at", n.ackedAt().toString())
            .put("secondsToAck", Duration.between(n.createdAt(), n.ackedAt()).toSeconds()));
      }
    }
    JsonArray timeline = new JsonArray();
    for (JournalEvent e : d.timeline()) {
      timeline.add(JournalBus.toJson(e));
    }
    return JsonObject.mapFrom(IncidentFacts.of(d.incident()))
        .put("notifications", notifications)
        .put("deliveriesUnknown", unknown)
        .put("acks", acks)
        .put("run", d.run())
        .put("timeline", timeline);
  }

  /** A notification as coordinators see it: no phone number, no message text. */
  private static JsonObject notification(Notification n) {
    return new JsonObject()
        .put("id", n.id())
        .put("staffId", n.staffId())
        .put("staffName", n.staffName())
        .put("kind", n.kind().id())
        .put("requiresAck", n.requiresAck())
        .put("status", n.status().id())
        .put("errorCode", n.errorCode())
        .put("attempts", n.attempts())
        .put("createdAt", text(n.createdAt()))
        .put("sentAt", text(n.sentAt()))
        .put("ackedAt", text(n.ackedAt()));
  }

  private static String text(java.time.Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
