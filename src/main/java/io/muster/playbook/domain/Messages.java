package io.muster.playbook.domain;

import io.muster.incident.domain.Incident;
import java.util.Map;

/**
 * The text of every SMS: a drill says so first, the incident's short reference comes next (so a
 * person with several pages can tell them apart), and a page that needs an answer says how.
 */
public final class Messages {
  private Messages() {
  }

  public static String page(Incident incident, Playbook playbook, String facilityName, PageStep step) {
    String text = frame(incident, step.say().render(values(incident, playbook, facilityName)));
    return step.ack().required() ? text + " Reply 1 to acknowledge." : text;
  }

  public static String allClear(Incident incident, Playbook playbook, String facilityName) {
    return frame(incident, playbook.standDown().render(values(incident, playbook, facilityName)));
  }

  /** Every SMS about an incident: "DRILL - " first for a drill, then its reference. */
  public static String frame(Incident incident, String text) {
    return (incident.drill() ? "DRILL - " : "") + "[" + incident.ref() + "] " + text;
  }

  public static Map<String, String> values(Incident incident, Playbook playbook, String facilityName) {
    return Map.of(
        "facility", facilityName,
        "summary", incident.summary(),
        "ref", incident.ref(),
        "incident", playbook.name(),
        "severity", incident.severity().id());
  }
}
