package io.muster.app;

import io.muster.incident.IncidentRecords;
import io.muster.incident.Incidents;
import io.muster.incident.ThresholdStarts;
import io.muster.incident.domain.IncidentType;
import io.muster.notify.DeliveryFailures;
import io.muster.notify.Inbox;
import io.muster.notify.MessageStore;
import io.muster.notify.Outbox;
import io.muster.notify.Reconciler;
import io.muster.playbook.PlaybookRuns;
import io.muster.playbook.PlaybookTimers;
import io.muster.playbook.RollcallArrivals;
import io.muster.playbook.domain.Playbook;
import io.muster.readiness.ReadinessService;
import io.muster.readiness.SmsReadiness;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.roster.domain.Roster;
import io.muster.store.Db;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The features, wired: the one place that says which feature serves which port of another, by
 * constructor. Features depend on each other only through the ports and domain types they declare;
 * built in this order, no feature needs one built after it.
 */
public record Features(Incidents incidents, ThresholdStarts thresholds, PlaybookRuns runs, PlaybookTimers timers,
                       ReadinessService readiness, Inbox inbox, Outbox outbox, Reconciler reconciler) {

  /** How the node runs them: its name in leases, how long a lease lasts, the SMS budget and timings. */
  public record Settings(String nodeId, Duration lease, double messagesPerSecond, Duration undeliveredRetry,
                         Duration receiptOverdue) { }

  public static Features wire(Db db, Clock clock, Roster roster, Map<String, Playbook> playbooks, ReadinessRules rules,
                              Settings s) {
    IncidentRecords records = new IncidentRecords();
    MessageStore messages = new MessageStore();
    ReadinessService readiness = new ReadinessService(db, clock, roster, rules, new RollcallArrivals(records), messages);
    PlaybookRuns runs = new PlaybookRuns(roster, playbooks, records, messages, readiness);
    Incidents incidents = new Incidents(db, clock, roster, types(playbooks), runs, messages, s.receiptOverdue());
    DeliveryFailures failures = new DeliveryFailures(runs, s.undeliveredRetry());
    Inbox inbox = new Inbox(db, clock, roster, runs, new SmsReadiness(readiness), failures);
    return new Features(incidents, new ThresholdStarts(db, clock, incidents), runs,
        new PlaybookTimers(db, clock, s.nodeId(), s.lease(), runs), readiness, inbox,
        new Outbox(db, clock, s.nodeId(), s.lease(), s.messagesPerSecond(), failures),
        new Reconciler(db, clock, s.receiptOverdue(), inbox));
  }

  /** The incident types: one per loaded playbook. */
  public static Map<String, IncidentType> types(Map<String, Playbook> playbooks) {
    Map<String, IncidentType> types = new LinkedHashMap<>();
    playbooks.forEach((id, p) -> types.put(id, new IncidentType(id, p.severity(), p.appliesTo())));
    return types;
  }
}
