package io.muster.incident;

/** Event-bus addresses of the incident feature. Commands are request/reply. */
public final class IncidentAddresses {
  public static final String TRIGGER = "incident.cmd.trigger";
  public static final String RESOLVE = "incident.cmd.resolve";
  public static final String GET = "incident.cmd.get";
  public static final String LIST = "incident.cmd.list";
  public static final String COMPLETE_TASK = "incident.cmd.complete-task";

  private IncidentAddresses() {
  }
}
