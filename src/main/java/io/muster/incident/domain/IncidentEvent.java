package io.muster.incident.domain;

import io.muster.common.Event;

/** What happens to an incident itself; the playbook's own events say what its run did. */
public sealed interface IncidentEvent extends Event {

  /** An incident began (by a command, or a readiness threshold), run by the playbook of its type. */
  @Event.Type("incident.triggered")
  record Triggered(IncidentFacts incident, String playbook) implements IncidentEvent { }

  /** An incident was resolved; its stand-down follows. */
  @Event.Type("incident.resolved")
  record Resolved(IncidentFacts incident) implements IncidentEvent { }
}
