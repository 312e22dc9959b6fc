package io.muster.incident;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentEvent;
import io.muster.incident.domain.IncidentFacts;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.IncidentType;
import io.muster.incident.domain.TriggerIncident;
import io.muster.incident.port.Response;
import io.muster.notify.domain.Notification;
import io.muster.notify.port.Messages;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Incident commands against the database: each one commits the incident's rows, its response's
 * rows (the playbook run: messages, timers, tasks) and the journal events of both in one
 * transaction, and returns the events to publish after the commit. Blocking: run it on a worker.
 */
public final class Incidents {
  private static final int KEY_RACE_RETRIES = 20;

  private final Db db;
  private final Clock clock;
  private final Roster roster;
  private final Map<String, IncidentType> types;
  private final Response response;
  private final Messages messages;
  private final Duration receiptOverdue;
  private final RandomGenerator random;

  /**
   * {@code types}: the incident types (one per playbook); {@code response}: the playbook run each
   * incident gets; {@code messages}: the outbox, for the incident view; {@code receiptOverdue}: how
   * long after a message was sent without a delivery receipt its delivery counts as unknown.
   */
  public Incidents(Db db, Clock clock, Roster roster, Map<String, IncidentType> types, Response response,
                   Messages messages, Duration receiptOverdue) {
    this(db, clock, roster, types, response, messages, receiptOverdue, new SecureRandom());
  }

  /** {@code random}: where incident references come from (a test may make them collide). */
  Incidents(Db db, Clock clock, Roster roster, Map<String, IncidentType> types, Response response, Messages messages,
            Duration receiptOverdue, RandomGenerator random) {
    this.db = db;
    this.clock = clock;
    this.roster = roster;
    this.types = Map.copyOf(types);
    this.response = response;
    this.messages = messages;
    this.receiptOverdue = receiptOverdue;
    this.random = random;
  }

  public record Triggered(Incident incident, boolean replayed, List<JournalEvent> events) { }

  public record Resolved(Incident incident, List<JournalEvent> events) { }

  /** {@code sentBy}: a notification still {@code sent} since this instant has no receipt overdue (unknown delivery). */
  public record Detail(Incident incident, List<Notification> notifications, List<JournalEvent> timeline,
                       io.vertx.core.json.JsonObject run, Instant sentBy) { }

  /**
   * Triggers an incident and queues the first step's pages. With an idempotency key, a retry of
   * the same request returns the incident the first one made; a different request under a used
   * key is refused.
   */
  public Triggered trigger(TriggerIncident cmd, String idempotencyKey, String actor) {
    IncidentType type = type(cmd.type());
    Facility facility = facility(cmd.facilityId());
    type.checkAppliesTo(facility);
    String hash = requestHash(cmd);
    for (int attempt = 0; ; attempt++) {
      try {
        return db.tx(c -> {
          Optional<Triggered> replayed = replay(c, idempotencyKey, hash);
          if (replayed.isPresent()) {
            return replayed.get();
          }
          Created created = create(c, cmd, type, idempotencyKey, hash, actor);
          return new Triggered(created.incident(), false,
              Journal.append(c, created.incident().triggeredAt(), created.events()));
        });
      } catch (RuntimeException e) {
        // Two requests with one key raced: the loser's insert hit the unique key; the retry reads the
        // winner's. Or the random reference was taken (22^5 of them: likely within a few thousand
        // incidents): the retry draws another. Either way the request is answered, not refused.
        if (!Db.uniqueViolation(e) || attempt >= KEY_RACE_RETRIES) {
          throw e;
        }
        pause(attempt);
      }
    }
  }

  /**
   * Starts an incident inside the caller's transaction (a readiness threshold that began to hold),
   * unless one of that type is already active at the facility or the type does not apply there;
   * returns its events for the caller to append.
   */
  public List<NewEvent> startUnlessActive(Connection c, String type, String facilityId, String summary, String actor)
      throws SQLException {
    IncidentType incidentType = type(type);
    if (!incidentType.appliesTo(facility(facilityId))
        || IncidentSql.active(c, facilityId).stream().anyMatch(i -> i.type().equals(type))) {
      return List.of();
    }
    return create(c, new TriggerIncident(type, facilityId, summary, null, false), incidentType, null, null, actor)
        .events();
  }

  public Resolved resolve(String incidentId, String actor) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, true).orElseThrow(() -> notFound(incidentId));
      Instant now = clock.instant();
      Incident resolved = incident.resolve(now, actor);
      IncidentSql.markResolved(c, resolved);
      List<NewEvent> events = new ArrayList<>();
      events.add(new NewEvent(new IncidentEvent.Resolved(IncidentFacts.of(resolved)), incidentId, actor));
      events.addAll(response.resolved(c, resolved, now, actor));
      return new Resolved(resolved, Journal.append(c, now, events));
    });
  }

  /** Completes a checklist task of an active incident. */
  public List<JournalEvent> completeTask(String incidentId, String taskId, String actor) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, true).orElseThrow(() -> notFound(incidentId));
      incident.checkActive();
      Instant now = clock.instant();
      List<NewEvent> events = response.taskCompleted(c, incident, taskId, now, actor);
      return events.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, now, events);
    });
  }

  public Detail detail(String incidentId) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, false).orElseThrow(() -> notFound(incidentId));
      Instant now = clock.instant();
      List<JournalEvent> timeline = Journal.forIncident(c, incidentId);
      return new Detail(incident, messages.forIncident(c, incidentId), timeline,
          response.view(c, incident, timeline, now), now.minus(receiptOverdue));
    });
  }

  public List<Incident> list(IncidentStatus status, int limit) {
    return db.tx(c -> IncidentSql.list(c, status, limit));
  }

  /** The incident's facility, when there is such an incident. */
  public Optional<String> facilityOf(String incidentId) {
    return db.tx(c -> IncidentSql.byId(c, incidentId, false).map(Incident::facilityId));
  }

  private Optional<Triggered> replay(Connection c, String key, String hash) throws SQLException {
    if (key == null) {
      return Optional.empty();
    }
    Optional<IncidentSql.Keyed> keyed = IncidentSql.byIdempotencyKey(c, key);
    if (keyed.isEmpty()) {
      return Optional.empty();
    }
    if (!keyed.get().requestHash().equals(hash)) {
      throw new Rejection(ErrorCode.CONFLICT, "Idempotency-Key",
          "this key was already used for a different request");
    }
    return IncidentSql.byId(c, keyed.get().incidentId(), false).map(i -> new Triggered(i, true, List.of()));
  }

  private record Created(Incident incident, List<NewEvent> events) { }

  private Created create(Connection c, TriggerIncident cmd, IncidentType type, String key, String hash, String actor)
      throws SQLException {
    Instant now = clock.instant();
    Incident incident = Incident.open(cmd, type, Incident.newRef(random), now, actor);
    IncidentSql.insert(c, incident, key, hash);
    List<NewEvent> events = new ArrayList<>();
    events.add(new NewEvent(new IncidentEvent.Triggered(IncidentFacts.of(incident), type.id()), incident.id(), actor));
    events.addAll(response.started(c, incident, now, actor));
    return new Created(incident, events);
  }

  private IncidentType type(String id) {
    IncidentType type = types.get(id);
    if (type == null) {
      throw new Rejection(ErrorCode.UNKNOWN_REFERENCE, "type",
          "unknown incident type '" + id + "'; known types: " + String.join(", ", new java.util.TreeSet<>(types.keySet())));
    }
    return type;
  }

  private Facility facility(String id) {
    return roster.facility(id).orElseThrow(() -> new Rejection(
        ErrorCode.UNKNOWN_REFERENCE, "facilityId", "unknown facility '" + id + "'"));
  }

  static Rejection notFound(String incidentId) {
    return new Rejection(ErrorCode.NOT_FOUND, "id", "no incident with id '" + incidentId + "'");
  }

  private static String requestHash(TriggerIncident cmd) {
    String canonical = String.join("\u0000", cmd.type(), cmd.facilityId(), cmd.summary(),
        cmd.severity() == null ? "" : cmd.severity().id(), Boolean.toString(cmd.drill()));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(10L + 10L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
