package io.muster.incident;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentEvent;
import io.muster.incident.domain.IncidentFacts;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.NotificationSql;
import io.muster.notify.Reconciler;
import io.muster.notify.domain.Notification;
import io.muster.playbook.PlaybookRuns;
import io.muster.playbook.domain.Playbook;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Incident commands against the database: each one commits the incident's rows, its outbox rows
 * and its journal events in one transaction, and returns the events to publish after the commit.
 * Blocking: run it on a worker.
 */
public final class Incidents {
  private static final String REF_ALPHABET = "ACDEFHJKMNPRTUVWXY3479";
  private static final int KEY_RACE_RETRIES = 20;

  private final Db db;
  private final Clock clock;
  private final Roster roster;
  private final Map<String, Playbook> playbooks;
  private final PlaybookRuns runs;
  private final RandomGenerator random;
  private final Duration receiptOverdue;

  public Incidents(Db db, Clock clock, Roster roster, Map<String, Playbook> playbooks, PlaybookRuns runs) {
    this(db, clock, roster, playbooks, runs, Reconciler.DEFAULT_AFTER);
  }

  /**
   * {@code receiptOverdue}: how long after a message was sent without a delivery receipt its
   * delivery counts as unknown (the reconciler's age).
   */
  public Incidents(Db db, Clock clock, Roster roster, Map<String, Playbook> playbooks, PlaybookRuns runs,
                   Duration receiptOverdue) {
    this(db, clock, roster, playbooks, runs, receiptOverdue, new SecureRandom());
  }

  /** {@code random}: where incident references come from (a test may make them collide). */
  Incidents(Db db, Clock clock, Roster roster, Map<String, Playbook> playbooks, PlaybookRuns runs,
            RandomGenerator random) {
    this(db, clock, roster, playbooks, runs, Reconciler.DEFAULT_AFTER, random);
  }

  private Incidents(Db db, Clock clock, Roster roster, Map<String, Playbook> playbooks, PlaybookRuns runs,
                    Duration receiptOverdue, RandomGenerator random) {
    this.receiptOverdue = receiptOverdue;
    this.random = random;
    this.db = db;
    this.clock = clock;
    this.roster = roster;
    this.playbooks = playbooks;
    this.runs = runs;
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
    Playbook playbook = playbook(cmd.type());
    Facility facility = roster.facility(cmd.facilityId()).orElseThrow(() -> new Rejection(
        ErrorCode.UNKNOWN_REFERENCE, "facilityId", "unknown facility '" + cmd.facilityId() + "'"));
    if (!playbook.appliesTo().contains(facility.type())) {
      throw new Rejection(ErrorCode.UNKNOWN_REFERENCE, "type", "the '" + playbook.id() + "' playbook does not apply to a "
          + facility.type().id() + " (" + facility.name() + ")");
    }
    String hash = requestHash(cmd);
    for (int attempt = 0; ; attempt++) {
      try {
        return db.tx(c -> replay(c, idempotencyKey, hash)
            .orElseGet(() -> unchecked(() -> create(c, cmd, playbook, facility, idempotencyKey, hash, actor))));
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
   * Starts an incident inside the caller's transaction (a readiness threshold); returns its events
   * for the caller to append.
   */
  public List<NewEvent> startIn(Connection c, String type, String facilityId, String summary, String actor)
      throws SQLException {
    Playbook playbook = playbook(type);
    Facility facility = roster.facility(facilityId).orElseThrow(() -> new Rejection(
        ErrorCode.UNKNOWN_REFERENCE, "facilityId", "unknown facility '" + facilityId + "'"));
    if (!playbook.appliesTo().contains(facility.type())) {
      return List.of();
    }
    return creation(c, new TriggerIncident(type, facilityId, summary, null, false), playbook, facility, null, null, actor)
        .events();
  }

  public Resolved resolve(String incidentId, String actor) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, true).orElseThrow(() -> notFound(incidentId));
      if (!incident.active()) {
        throw new Rejection(ErrorCode.CONFLICT, null, "incident " + incidentId + " is already resolved");
      }
      Instant now = clock.instant();
      Incident resolved = incident.resolve(now, actor);
      IncidentSql.markResolved(c, resolved);
      List<NewEvent> events = new ArrayList<>();
      events.add(new NewEvent(new IncidentEvent.Resolved(IncidentFacts.of(resolved)), incidentId, actor));
      events.addAll(runs.standDown(c, resolved, now, actor));
      return new Resolved(resolved, Journal.append(c, now, events));
    });
  }

  /** Completes a checklist task of an active incident. */
  public List<JournalEvent> completeTask(String incidentId, String taskId, String actor) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, true).orElseThrow(() -> notFound(incidentId));
      if (!incident.active()) {
        throw new Rejection(ErrorCode.CONFLICT, null, "incident " + incidentId + " is resolved");
      }
      Instant now = clock.instant();
      List<NewEvent> events = runs.taskCompleted(c, incident, taskId, now, actor);
      return events.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, now, events);
    });
  }

  public Detail detail(String incidentId) {
    return db.tx(c -> {
      Incident incident = IncidentSql.byId(c, incidentId, false).orElseThrow(() -> notFound(incidentId));
      Instant now = clock.instant();
      return new Detail(incident, NotificationSql.forIncident(c, incidentId), Journal.forIncident(c, incidentId),
          runs.view(c, incident, now), now.minus(receiptOverdue));
    });
  }

  public List<Incident> list(IncidentStatus status, int limit) {
    return db.tx(c -> IncidentSql.list(c, status, limit));
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

  private Triggered create(Connection c, TriggerIncident cmd, Playbook playbook, Facility facility,
                           String key, String hash, String actor) throws SQLException {
    Created created = creation(c, cmd, playbook, facility, key, hash, actor);
    return new Triggered(created.incident(), false,
        Journal.append(c, created.incident().triggeredAt(), created.events()));
  }

  private record Created(Incident incident, List<NewEvent> events) { }

  private Created creation(Connection c, TriggerIncident cmd, Playbook playbook, Facility facility,
                           String key, String hash, String actor) throws SQLException {
    Instant now = clock.instant();
    Incident incident = new Incident(java.util.UUID.randomUUID().toString(), newRef(), playbook.id(), facility.id(),
        cmd.summary(), cmd.severity() == null ? playbook.severity() : cmd.severity(), cmd.drill(),
        IncidentStatus.ACTIVE, now, actor, null, null);
    IncidentSql.insert(c, incident, key, hash);
    List<NewEvent> events = new ArrayList<>();
    events.add(new NewEvent(new IncidentEvent.Triggered(IncidentFacts.of(incident), playbook.id()), incident.id(), actor));
    events.addAll(runs.start(c, incident, now, actor));
    return new Created(incident, events);
  }

  private Playbook playbook(String type) {
    Playbook playbook = playbooks.get(type);
    if (playbook == null) {
      throw new Rejection(ErrorCode.UNKNOWN_REFERENCE, "type",
          "unknown incident type '" + type + "'; known types: " + String.join(", ", playbooks.keySet()));
    }
    return playbook;
  }

  private String newRef() {
    StringBuilder ref = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      ref.append(REF_ALPHABET.charAt(random.nextInt(REF_ALPHABET.length())));
    }
    return ref.toString();
  }

  /** The incident's facility, when there is such an incident. */
  public Optional<String> facilityOf(String incidentId) {
    return db.tx(c -> IncidentSql.byId(c, incidentId, false).map(Incident::facilityId));
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

  private interface SqlSupplier<T> {
    T get() throws SQLException;
  }

  private static <T> T unchecked(SqlSupplier<T> supplier) {
    try {
      return supplier.get();
    } catch (SQLException e) {
      throw new io.muster.store.StoreException(e);
    }
  }
}
