package io.muster.readiness;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.common.Event;
import io.muster.notify.port.Keywords;
import io.muster.notify.port.Messages;
import io.muster.readiness.domain.Board;
import io.muster.readiness.domain.ReadinessEvent;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.readiness.port.Arrivals;
import io.muster.readiness.port.Steps;
import io.muster.store.EventJson;
import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.FacilityReadiness;
import io.muster.readiness.domain.ReadinessFields;
import io.muster.readiness.domain.Staffing;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Facility readiness against the database. An update locks its facility, checks the merged values,
 * writes what changed with who and when, journals it, and, when a threshold starts to hold,
 * starts the incident it names, all in one transaction; updates from the API come in batches that
 * share one transaction. A rollcall answer that changes the staffed beds checks the thresholds
 * again in its own transaction. Blocking.
 */
public final class ReadinessService implements Steps {
  private final Db db;
  private final Clock clock;
  private final Roster roster;
  private final ReadinessRules config;
  private final Arrivals arrivals;
  private final Messages messages;

  /**
   * {@code arrivals}: who is on the way in (the playbook's rollcalls); {@code messages}: the
   * outbox, for reminders of overdue values.
   */
  public ReadinessService(Db db, Clock clock, Roster roster, ReadinessRules config, Arrivals arrivals,
                          Messages messages) {
    this.db = db;
    this.clock = clock;
    this.roster = roster;
    this.config = config;
    this.arrivals = arrivals;
    this.messages = messages;
  }

  /** A row per roster facility, so that updates have something to lock. */
  public void ensureFacilities() {
    db.tx(c -> {
      for (Facility f : roster.facilities()) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO readiness_facility (facility_id) SELECT ?"
            + " WHERE NOT EXISTS (SELECT 1 FROM readiness_facility WHERE facility_id = ?)")) {
          ps.setString(1, f.id());
          ps.setString(2, f.id());
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /**
   * When the readiness table is empty but the journal holds readiness updates (a restored or
   * rebuilt database), replays them in order, so the board is what the journal says it was.
   * Returns how many updates were replayed.
   */
  public int rebuildFromJournal() {
    return db.tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM readiness_value");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) > 0) {
          return 0;
        }
      }
      int replayed = 0;
      Set<String> written = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal WHERE event_type = ? ORDER BY seq")) {
        ps.setString(1, Event.typeOf(ReadinessEvent.Updated.class));
        ResultSet rs = ps.executeQuery();
        List<Long> seqs = new ArrayList<>();
        while (rs.next()) {
          seqs.add(rs.getLong(1));
        }
        for (long seq : seqs) {
          JournalEvent e = Journal.after(c, seq - 1, 1).get(0);
          ReadinessEvent.Updated update = EventJson.read(e.payload(), ReadinessEvent.Updated.class);
          if (roster.facility(update.facilityId()).isEmpty()) {
            continue;
          }
          for (Map.Entry<String, String> ch : update.changes().entrySet()) {
            write(c, update.facilityId(), ch.getKey(), ch.getValue(), e.actor(), e.at(),
                !written.add(update.facilityId() + "\n" + ch.getKey()));
          }
          replayed++;
        }
      }
      return replayed;
    });
  }

  public record Updated(FacilityReadiness board, List<JournalEvent> events) { }

  /** An update from the API or an SMS keyword: a facility, its changes by stored key, who sends them. */
  public record Request(String facilityId, Map<String, String> changes, String actor) { }

  /** What came of one request of a batch: the board after it and its committed events, or its failure. */
  public record Outcome(Updated updated, RuntimeException failure) { }

  /** One update on its own; a refusal is thrown. */
  public Updated update(String facilityId, Map<String, String> changes, String actor) {
    Outcome outcome = updateAll(List.of(new Request(facilityId, changes, actor))).get(0);
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
    return outcome.updated();
  }

  /**
   * Updates in one transaction, applied in order, each against the board the ones before it left:
   * their facilities are locked once (in id order, so that batches on two nodes cannot deadlock),
   * their events appended to the journal together, and one commit makes them all durable. A
   * refused update (unknown facility, a value that breaks a rule) is refused before it writes
   * anything and does not affect the others. Any other failure rolls the batch back, and each
   * update is then tried again on its own, so that it fails only itself.
   */
  public List<Outcome> updateAll(List<Request> requests) {
    try {
      return db.tx(c -> applyAll(c, requests));
    } catch (RuntimeException e) {
      if (requests.size() == 1) {
        return List.of(new Outcome(null, e));
      }
      List<Outcome> out = new ArrayList<>(requests.size());
      for (Request r : requests) {
        out.add(updateAll(List.of(r)).get(0));
      }
      return out;
    }
  }

  private List<Outcome> applyAll(Connection c, List<Request> requests) throws SQLException {
    Instant now = now();
    Set<String> ids = new TreeSet<>();
    requests.forEach(r -> roster.facility(r.facilityId()).ifPresent(f -> ids.add(f.id())));
    lockAll(c, ids);
    Map<String, Map<String, Board.Reported>> boards = values(c, ids);
    Map<String, Map<BedType, List<Instant>>> arrivals = arrivals(c, null);
    List<NewEvent> events = new ArrayList<>();
    Writes writes = new Writes();
    int[] ends = new int[requests.size()];
    FacilityReadiness[] after = new FacilityReadiness[requests.size()];
    RuntimeException[] refused = new RuntimeException[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      Facility facility;
      Map<String, Board.Reported> current;
      Map<String, String> changes;
      try {
        facility = facility(r.facilityId());
        current = boards.get(facility.id());
        changes = Board.validate(current, r.changes());
      } catch (io.muster.common.InvalidInput | Rejection e) {
        refused[i] = e;
        ends[i] = events.size();
        continue;
      }
      Map<BedType, List<Instant>> coming = arrivals.getOrDefault(facility.id(), Map.of());
      events.addAll(record(c, facility, current, changes, r.actor(), now, cc -> coming, writes));
      after[i] = Board.of(facility, current, coming, config, now);
      ends[i] = events.size();
    }
    writes.flush(c);
    List<JournalEvent> journaled = events.isEmpty() ? List.of() : Journal.append(c, now, events);
    List<Outcome> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      int from = i == 0 ? 0 : ends[i - 1];
      out.add(refused[i] != null ? new Outcome(null, refused[i])
          : new Outcome(new Updated(after[i], journaled.subList(from, ends[i])), null));
    }
    return out;
  }

  /** The same, inside the caller's transaction (a playbook's readiness step, an SMS keyword); returns the events. */
  @Override
  public List<NewEvent> apply(Connection c, String facilityId, Map<String, String> changes, String actor, Instant now)
      throws SQLException {
    Facility facility = facility(facilityId);
    lock(c, facilityId);
    Map<String, Board.Reported> current = values(c, facilityId);
    Writes writes = new Writes();
    List<NewEvent> events = record(c, facility, current, Board.validate(current, changes), actor, now,
        cc -> arrivals(cc, facilityId).getOrDefault(facilityId, Map.of()), writes);
    writes.flush(c);
    return events;
  }

  /**
   * Rollcall answers at the facility's incidents (from {@code answeredBy}) have changed who is
   * coming in, and so its staffed beds: when one of them staffs a bed type, checks the thresholds
   * again, inside the caller's transaction (the one that records the answers), as an update would.
   * Returns the events (a threshold crossed, the incident it starts).
   */
  @Override
  public List<NewEvent> staffingChanged(Connection c, String facilityId, List<String> answeredBy, Instant now,
                                       String actor) throws SQLException {
    Optional<Facility> facility = roster.facility(facilityId);
    if (facility.isEmpty() || config.thresholds().isEmpty() || answeredBy.stream().map(this::staffs)
        .noneMatch(Optional::isPresent)) {
      return List.of();
    }
    lock(c, facilityId);
    return thresholds(c, facility.get(), values(c, facilityId),
        arrivals(c, facilityId).getOrDefault(facilityId, Map.of()), now, actor);
  }

  /**
   * Queues the writes of the values that differ from {@code current} (which follows them), and
   * returns the update's event and those of the thresholds it makes start to hold.
   */
  private List<NewEvent> record(Connection c, Facility facility, Map<String, Board.Reported> current, Map<String, String> changes,
                                String actor, Instant now, Db.Work<Map<BedType, List<Instant>>> arrivals, Writes writes)
      throws SQLException {
    Map<String, String> changed = new LinkedHashMap<>();
    for (Map.Entry<String, String> ch : changes.entrySet()) {
      Board.Reported old = current.get(ch.getKey());
      if (old == null || !old.value().equals(ch.getValue())) {
        writes.put(facility.id(), ch.getKey(), ch.getValue(), actor, now, old != null);
        current.put(ch.getKey(), new Board.Reported(ch.getValue(), actor, now));
        changed.put(ch.getKey(), ch.getValue());
      }
    }
    if (changed.isEmpty()) {
      return List.of();
    }
    List<NewEvent> events = new ArrayList<>();
    events.add(new NewEvent(new ReadinessEvent.Updated(facility.id(), changed, actor), null, actor));
    if (!config.thresholds().isEmpty()) {
      events.addAll(thresholds(c, facility, current, arrivals.run(c), now, actor));
    }
    return events;
  }

  /** A readiness keyword from a staff member, inside the reply's transaction. */
  public Keywords.Handled smsUpdate(Connection c, Staff staff, Map<String, String> changes, Instant now) throws SQLException {
    if (staff.roles().stream().noneMatch(config.reporterRoles()::contains)) {
      return new Keywords.Handled("readiness-refused", "Your role is not set up to report readiness; ask the house supervisor.",
          List.of());
    }
    Facility facility = facility(staff.facilityId());
    try {
      List<NewEvent> events = apply(c, facility.id(), changes, "sms:" + staff.id(), now);
      return new Keywords.Handled("readiness-updated", "Recorded for " + facility.name() + ": " + describe(changes) + ".", events);
    } catch (io.muster.common.InvalidInput e) {
      return new Keywords.Handled("readiness-refused", "Not recorded: " + e.getMessage(), List.of());
    }
  }

  private static String describe(Map<String, String> changes) {
    List<String> parts = new ArrayList<>();
    changes.forEach((k, v) -> parts.add(k.replace("beds.", "").replace("systems.", "").replace(".state", "")
        .replace('.', ' ') + " " + v));
    return String.join(", ", parts);
  }

  /**
   * Reminds the owner of each value older than the reporting interval, once per time it was set:
   * the staff member who set it by SMS, else the facility's reporters. Whichever node runs this,
   * a value is reminded once (its reminder row is the claim). Returns the committed events.
   */
  public List<JournalEvent> remindOverdue() {
    return db.tx(c -> {
      Instant now = clock.instant();
      List<NewEvent> events = new ArrayList<>();
      Map<String, Map<String, Board.Reported>> all = values(c, (Collection<String>) null);
      for (Facility f : roster.facilities()) {
        for (Map.Entry<String, Board.Reported> e : all.getOrDefault(f.id(), Map.of()).entrySet()) {
          Board.Reported v = e.getValue();
          if (Board.overdue(v, config, now) && claimReminder(c, f.id(), e.getKey(), v.setAt(), now)) {
            String text = "Readiness update due at " + f.name() + ": " + e.getKey() + " was last reported "
                + java.time.Duration.between(v.setAt(), now).toHours() + " h ago. Reply e.g. BEDS ICU 3.";
            for (Staff s : owners(f, v)) {
              events.add(messages.queueInfo(c, s.id(), s.name(), s.phone(), text, now, "readiness"));
            }
          }
        }
      }
      return events.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, now, events);
    });
  }

  private List<Staff> owners(Facility f, Board.Reported v) {
    if (v.setBy().startsWith("sms:")) {
      String id = v.setBy().substring(4);
      List<Staff> setter = roster.staff().stream().filter(s -> s.id().equals(id)).toList();
      if (!setter.isEmpty()) {
        return setter;
      }
    }
    return roster.holding(f.id(), config.reporterRoles());
  }

  private static boolean claimReminder(Connection c, String facilityId, String field, Instant setAt, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO readiness_reminder (facility_id, field, set_at,"
        + " reminded_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM readiness_reminder"
        + " WHERE facility_id = ? AND field = ? AND set_at = ?)")) {
      ps.setString(1, facilityId);
      ps.setString(2, field);
      ps.setObject(3, Db.ts(setAt));
      ps.setObject(4, Db.ts(now));
      ps.setString(5, facilityId);
      ps.setString(6, field);
      ps.setObject(7, Db.ts(setAt));
      return ps.executeUpdate() == 1;
    }
  }

  public FacilityReadiness board(String facilityId) {
    Facility facility = facility(facilityId);
    return db.tx(c -> Board.of(facility, values(c, facilityId), arrivals(c, facilityId).getOrDefault(facilityId, Map.of()),
        config, clock.instant()));
  }

  /** Every facility's board, for the region. */
  public List<FacilityReadiness> region() {
    return db.tx(c -> {
      Instant now = clock.instant();
      Map<String, Map<String, Board.Reported>> values = values(c, (Collection<String>) null);
      Map<String, Map<BedType, List<Instant>>> arrivals = arrivals(c, null);
      List<FacilityReadiness> out = new ArrayList<>();
      for (Facility f : roster.facilities()) {
        out.add(Board.of(f, values.getOrDefault(f.id(), Map.of()), arrivals.getOrDefault(f.id(), Map.of()), config, now));
      }
      return out;
    });
  }

  /**
   * Records each rule that starts to hold on the facility's board (the incident feature starts the
   * incident it names when it reads the event), and forgets each that no longer holds.
   */
  private List<NewEvent> thresholds(Connection c, Facility facility, Map<String, Board.Reported> current,
                                    Map<BedType, List<Instant>> arrivals, Instant now, String actor) throws SQLException {
    FacilityReadiness board = Board.of(facility, current, arrivals, config, now);
    Set<String> held = held(c, facility.id());
    List<NewEvent> events = new ArrayList<>();
    for (ReadinessRules.Threshold t : config.thresholds()) {
      boolean holds = t.holds(board);
      if (holds && !held.contains(t.id())) {
        Db.update(c, "INSERT INTO readiness_threshold (facility_id, rule_id) VALUES (?, ?)", facility.id(), t.id());
        events.add(new NewEvent(new ReadinessEvent.ThresholdCrossed(facility.id(), t.id(), t.trigger(),
            t.summary(board)), null, actor));
      } else if (!holds && held.contains(t.id())) {
        Db.update(c, "DELETE FROM readiness_threshold WHERE facility_id = ? AND rule_id = ?", facility.id(), t.id());
      }
    }
    return events;
  }

  /**
   * When each staff member on the way in (a rollcall "yes" at an active incident of the facility;
   * null: of every facility) will arrive, by facility and by the bed type the person's role staffs.
   */
  private Map<String, Map<BedType, List<Instant>>> arrivals(Connection c, String facilityId) throws SQLException {
    Map<String, Map<BedType, List<Instant>>> out = new HashMap<>();
    if (config.rollcallStaffing().isEmpty()) {
      return out;
    }
    for (Arrivals.Arrival a : arrivals.expected(c, facilityId)) {
      staffs(a.staffId()).ifPresent(type -> out.computeIfAbsent(a.facilityId(), f -> new EnumMap<>(BedType.class))
          .computeIfAbsent(type, t -> new ArrayList<>()).add(a.at()));
    }
    return out;
  }

  private Optional<BedType> staffs(String staffId) {
    return roster.staff().stream().filter(s -> s.id().equals(staffId)).findFirst()
        .flatMap(s -> s.roles().stream().sorted().map(config.rollcallStaffing()::get)
            .filter(java.util.Objects::nonNull).findFirst());
  }

  private Facility facility(String facilityId) {
    return roster.facility(facilityId).orElseThrow(() ->
        new Rejection(ErrorCode.NOT_FOUND, "id", "no facility with id '" + facilityId + "'"));
  }

  private static void lock(Connection c, String facilityId) throws SQLException {
    lockAll(c, Set.of(facilityId));
  }

  /**
   * Locks the facilities' rows for the rest of the transaction, in id order: PostgreSQL locks the
   * rows of a {@code SELECT ... ORDER BY ... FOR UPDATE} in that order, so two batches that share
   * facilities wait for each other instead of deadlocking (H2 runs a single node, one batch at a time).
   */
  private static void lockAll(Connection c, Set<String> facilityIds) throws SQLException {
    if (facilityIds.isEmpty()) {
      return;
    }
    int locked = 0;
    try (PreparedStatement ps = c.prepareStatement("SELECT facility_id FROM readiness_facility"
        + " WHERE facility_id = ANY(?) ORDER BY facility_id FOR UPDATE")) {
      ps.setArray(1, c.createArrayOf("VARCHAR", facilityIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          locked++;
        }
      }
    }
    if (locked != facilityIds.size()) {
      throw new IllegalStateException("facilities " + facilityIds + " lack readiness rows");
    }
  }

  private static Map<String, Board.Reported> values(Connection c, String facilityId) throws SQLException {
    return values(c, Set.of(facilityId)).getOrDefault(facilityId, new TreeMap<>());
  }

  /** The stored values of the facilities (null: of every facility), each facility's in a mutable map, even if empty. */
  private static Map<String, Map<String, Board.Reported>> values(Connection c, Collection<String> facilityIds)
      throws SQLException {
    Map<String, Map<String, Board.Reported>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT facility_id, field, field_value, set_by, set_at"
        + " FROM readiness_value" + (facilityIds == null ? "" : " WHERE facility_id = ANY(?)"))) {
      if (facilityIds != null) {
        facilityIds.forEach(id -> out.put(id, new TreeMap<>()));
        ps.setArray(1, c.createArrayOf("VARCHAR", facilityIds.toArray()));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), f -> new TreeMap<>()).put(rs.getString(2),
              new Board.Reported(rs.getString(3), rs.getString(4), Db.instant(rs.getObject(5))));
        }
      }
    }
    return out;
  }

  /**
   * Value writes queued in a transaction and sent together (one round trip for many updates on
   * PostgreSQL). A field written twice keeps its last value, and is inserted or updated according
   * to whether its row existed before the first write. Flushed before anything reads the values
   * back from the database, and before the journal append.
   */
  private static final class Writes {
    private record Write(String facilityId, String field, String value, String actor, Instant at, boolean exists) { }

    private final Map<String, Write> queued = new LinkedHashMap<>();

    void put(String facilityId, String field, String value, String actor, Instant at, boolean exists) {
      Write first = queued.get(facilityId + "\n" + field);
      queued.put(facilityId + "\n" + field, new Write(facilityId, field, value, actor, at,
          first == null ? exists : first.exists()));
    }

    void flush(Connection c) throws SQLException {
      if (queued.isEmpty()) {
        return;
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE readiness_value SET field_value = ?, set_by = ?,"
          + " set_at = ? WHERE facility_id = ? AND field = ?");
           PreparedStatement insert = c.prepareStatement("INSERT INTO readiness_value (facility_id, field, field_value,"
               + " set_by, set_at) VALUES (?, ?, ?, ?, ?)")) {
        int updates = 0;
        int inserts = 0;
        for (Write w : queued.values()) {
          if (w.exists()) {
            bind(update, w.value(), w.actor(), Db.ts(w.at()), w.facilityId(), w.field());
            updates++;
          } else {
            bind(insert, w.facilityId(), w.field(), w.value(), w.actor(), Db.ts(w.at()));
            inserts++;
          }
        }
        if (updates > 0) {
          update.executeBatch();
        }
        if (inserts > 0) {
          insert.executeBatch();
        }
      }
      queued.clear();
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.addBatch();
    }
  }

  /** Stores a value; {@code exists}: the facility already has a row for the field. */
  private static void write(Connection c, String facilityId, String field, String value, String actor, Instant now,
                            boolean exists) throws SQLException {
    if (exists) {
      Db.update(c, "UPDATE readiness_value SET field_value = ?, set_by = ?, set_at = ? WHERE facility_id = ? AND field = ?",
          value, actor, Db.ts(now), facilityId, field);
    } else {
      Db.update(c, "INSERT INTO readiness_value (facility_id, field, field_value, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
          facilityId, field, value, actor, Db.ts(now));
    }
  }

  /** The rules that held at the facility when it was last checked. */
  private static Set<String> held(Connection c, String facilityId) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT rule_id FROM readiness_threshold WHERE facility_id = ?")) {
      ps.setString(1, facilityId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** The clock's time at the precision the database keeps, so that a board built in memory reads back the same. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
