package io.muster.incident;

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
    return new JsonObject(IncidentMaps.of(d.incident()))
        .put("notifications", notifications)
        .put("deliveriesUnknown", unknown)
        .put("acks", acks)
        .put("run", d.run().copy().put("steps", steps(d.timeline())))
        .put("timeline", timeline);
  }

  /** Each step of the run as its events tell it: started, skipped, acknowledged, escalated, unanswered. */
  private static JsonArray steps(java.util.List<JournalEvent> timeline) {
    java.util.Map<String, JsonObject> steps = new java.util.LinkedHashMap<>();
    for (JournalEvent e : timeline) {
      Object stepId = e.payload().get("stepId");
      if (stepId == null || e.type().startsWith("notification.")) {
        continue;
      }
      JsonObject step = steps.computeIfAbsent(stepId.toString(), id -> new JsonObject().put("stepId", id).put("level", 0));
      switch (e.type()) {
        case "step.started", "rollcall.started" -> step.put("status", "started");
        case "readiness.change-requested" -> step.put("status", "done");
        case "step.skipped" -> step.put("status", "skipped");
        case "escalation.stopped" -> step.put("status", "acknowledged");
        case "page.escalated" -> step.put("level", e.payload().get("level"));
        case "page.unanswered" -> step.put("status", "unanswered");
        case "rollcall.need-met" -> step.put("status", "need-met");
        case "rollcall.need-unmet" -> step.put("status", "started");
        case "rollcall.closed" -> step.put("status", "closed");
        default -> { }
      }
    }
    return new JsonArray(new java.util.ArrayList<>(steps.values()));
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
        .put("createdAt", IncidentMaps.text(n.createdAt()))
        .put("sentAt", IncidentMaps.text(n.sentAt()))
        .put("ackedAt", IncidentMaps.text(n.ackedAt()));
  }
}
