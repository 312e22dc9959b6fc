package io.muster.playbook;

import io.muster.common.Event;
import io.muster.playbook.domain.PlaybookEvent;
import io.muster.store.EventJson;
import io.muster.store.JournalEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The run as its events tell it, for the incident view. */
final class RunViews {
  private static final Map<String, Class<? extends PlaybookEvent>> EVENTS = new HashMap<>();

  static {
    for (Class<?> type : PlaybookEvent.class.getPermittedSubclasses()) {
      @SuppressWarnings("unchecked")
      Class<? extends PlaybookEvent> event = (Class<? extends PlaybookEvent>) type;
      EVENTS.put(Event.typeOf(event), event);
    }
  }

  private RunViews() {
  }

  /** Each step of the run: started, skipped, acknowledged, escalated to a level, unanswered, need met, closed. */
  static JsonArray steps(List<JournalEvent> timeline) {
    Map<String, JsonObject> steps = new LinkedHashMap<>();
    for (JournalEvent e : timeline) {
      Class<? extends PlaybookEvent> type = EVENTS.get(e.type());
      if (type == null) {
        continue;
      }
      PlaybookEvent event = EventJson.read(e.payload(), type);
      String stepId = stepOf(event);
      if (stepId == null) {
        continue;
      }
      JsonObject step = steps.computeIfAbsent(stepId, id -> new JsonObject().put("stepId", id).put("level", 0));
      if (event instanceof PlaybookEvent.StepStarted || event instanceof PlaybookEvent.RollcallStarted
          || event instanceof PlaybookEvent.RollcallNeedUnmet) {
        step.put("status", "started");
      } else if (event instanceof PlaybookEvent.ReadinessChangeRequested) {
        step.put("status", "done");
      } else if (event instanceof PlaybookEvent.StepSkipped) {
        step.put("status", "skipped");
      } else if (event instanceof PlaybookEvent.EscalationStopped) {
        step.put("status", "acknowledged");
      } else if (event instanceof PlaybookEvent.PageEscalated escalated) {
        step.put("level", escalated.level());
      } else if (event instanceof PlaybookEvent.PageUnanswered) {
        step.put("status", "unanswered");
      } else if (event instanceof PlaybookEvent.RollcallNeedMet) {
        step.put("status", "need-met");
      } else if (event instanceof PlaybookEvent.RollcallClosed) {
        step.put("status", "closed");
      }
    }
    return new JsonArray(new ArrayList<>(steps.values()));
  }

  /** The step an event is about, when it is about one. */
  private static String stepOf(PlaybookEvent e) {
    Object stepId = EventJson.map(EventJson.write(e)).get("stepId");
    return stepId == null ? null : stepId.toString();
  }
}
