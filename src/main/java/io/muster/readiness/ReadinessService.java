package io.muster.readiness;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Facility readiness against the database. An update locks its facility, checks the merged values,
 * writes what changed with who and when, journals it, and, when a threshold starts to hold,
 * starts the incident it names, all in one transaction. Blocking.
 */
public final class ReadinessService {
  /** Starts an incident inside the caller's transaction (the incident feature provides it). */
  public interface IncidentStarter {
    List<NewEvent> start(Connection c, String type, String facilityId, String summary, String actor) throws SQLException;
  }

  private record Entry(String value, String setBy, Instant setAt) { }

  private final Db db;
  private final Clock clock;
  private final Roster roster;
  private final ReadinessConfig config;
  private IncidentStarter starter;

  public ReadinessService(Db db, Clock clock, Roster roster, ReadinessConfig config) {
    this.db = db;
    this.clock = clock;
    this.roster = roster;
    this.config = config;
  }

  public void incidentStarter(IncidentStarter starter) {
    this.starter = starter;
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
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal WHERE event_type = 'readiness.updated'"
          + " ORDER BY seq"); ResultSet rs = ps.executeQuery()) {
        List<Long> seqs = new ArrayList<>();
        while (rs.next()) {
          seqs.add(rs.getLong(1));
        }
        for (long seq : seqs) {
          JournalEvent e = Journal.after(c, seq - 1, 1).get(0);
          @SuppressWarnings("unchecked")
          Map<String, Object> changes = (Map<String, Object>) e.payload().get("changes");
          String facilityId = (String) e.payload().get("facilityId");
          if (roster.facility(facilityId).isEmpty()) {
            continue;
          }
          for (Map.Entry<String, Object> ch : changes.entrySet()) {
            write(c, facilityId, ch.getKey(), String.valueOf(ch.getValue()), e.actor(), e.at());
          }
          replayed++;
        }
      }
      return replayed;
    });
  }

  public record Updated(FacilityReadiness board, List<JournalEvent> events) { }

  /** An update from the API or an SMS keyword; {@code changes} by stored key. */
  public Updated update(String facilityId, Map<String, String> changes, String actor) {
    Facility facility = facility(facilityId);
    return db.tx(c -> {
      Instant now = clock.instant();
      List<NewEvent> events = applyIn(c, facility.id(), changes, actor, now);
      return new Updated(view(c, facility, now), events.isEmpty() ? List.of() : Journal.append(c, now, events));
    });
  }

  /** The same, inside the caller's transaction (a playbook's readiness step); returns the events. */
  public List<NewEvent> applyIn(Connection c, String facilityId, Map<String, String> changes, String actor, Instant now)
      throws SQLException {
    Facility facility = facility(facilityId);
    lock(c, facilityId);
    Map<String, Entry> current = values(c, facilityId);
    Map<String, String> merged = new TreeMap<>();
    current.forEach((k, e) -> merged.put(k, e.value()));
    changes = occupiedFromAvailable(changes, merged);
    merged.putAll(changes);
    ReadinessFields.check(merged);
    Map<String, Object> changed = new LinkedHashMap<>();
    for (Map.Entry<String, String> ch : changes.entrySet()) {
      Entry old = current.get(ch.getKey());
      if (old == null || !old.value().equals(ch.getValue())) {
        write(c, facilityId, ch.getKey(), ch.getValue(), actor, now);
        changed.put(ch.getKey(), ch.getValue());
      }
    }
    List<NewEvent> events = new ArrayList<>();
    if (changed.isEmpty()) {
      return events;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("facilityId", facilityId);
    payload.put("changes", changed);
    payload.put("by", actor);
    events.add(new NewEvent("readiness.updated", null, actor, payload));
    events.addAll(thresholds(c, facility, now, actor));
    return events;
  }

  /** {@code beds.<type>.available} (from SMS) becomes occupied = baseline − available. */
  private static Map<String, String> occupiedFromAvailable(Map<String, String> changes, Map<String, String> current) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : changes.entrySet()) {
      if (!e.getKey().endsWith(".available")) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      String base = e.getKey().substring(0, e.getKey().length() - "available".length());
      String baselineText = changes.getOrDefault(base + "baseline", current.get(base + "baseline"));
      int baseline = baselineText == null ? 0 : Integer.parseInt(baselineText);
      int available = Integer.parseInt(e.getValue());
      if (available > baseline) {
        throw new io.muster.common.InvalidInput(e.getKey(), available + " available is more than the baseline of "
            + baseline);
      }
      out.put(base + "occupied", String.valueOf(baseline - available));
    }
    return out;
  }

  /** What an SMS readiness update did: the outcome, the answer to text back, the events. */
  public record SmsUpdate(String outcome, String answer, List<NewEvent> events) { }

  /** A readiness keyword from a staff member, inside the reply's transaction. */
  public SmsUpdate smsUpdate(Connection c, Staff staff, Map<String, String> changes, Instant now) throws SQLException {
    if (staff.roles().stream().noneMatch(config.reporterRoles()::contains)) {
      return new SmsUpdate("readiness-refused", "Your role is not set up to report readiness; ask the house supervisor.",
          List.of());
    }
    Facility facility = facility(staff.facilityId());
    try {
      List<NewEvent> events = applyIn(c, facility.id(), changes, "sms:" + staff.id(), now);
      return new SmsUpdate("readiness-updated", "Recorded for " + facility.name() + ": " + describe(changes) + ".", events);
    } catch (io.muster.common.InvalidInput e) {
      return new SmsUpdate("readiness-refused", "Not recorded: " + e.getMessage(), List.of());
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
      for (Facility f : roster.facilities()) {
        for (Map.Entry<String, Entry> e : values(c, f.id()).entrySet()) {
          Entry v = e.getValue();
          if (overdue(v, now) && claimReminder(c, f.id(), e.getKey(), v.setAt(), now)) {
            String text = "Readiness update due at " + f.name() + ": " + e.getKey() + " was last reported "
                + java.time.Duration.between(v.setAt(), now).toHours() + " h ago. Reply e.g. BEDS ICU 3.";
            for (Staff s : owners(f, v)) {
              events.add(io.muster.notify.NotificationSql.queueInfo(c, s.id(), s.name(), s.phone(), text, now,
                  "readiness"));
            }
          }
        }
      }
      return events.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, now, events);
    });
  }

  private List<Staff> owners(Facility f, Entry v) {
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
    return db.tx(c -> view(c, facility, clock.instant()));
  }

  /** Every facility's board, for the region. */
  public List<FacilityReadiness> region() {
    return db.tx(c -> {
      Instant now = clock.instant();
      List<FacilityReadiness> out = new ArrayList<>();
      for (Facility f : roster.facilities()) {
        out.add(view(c, f, now));
      }
      return out;
    });
  }

  private List<NewEvent> thresholds(Connection c, Facility facility, Instant now, String actor) throws SQLException {
    List<NewEvent> events = new ArrayList<>();
    if (config.thresholds().isEmpty()) {
      return events;
    }
    FacilityReadiness board = view(c, facility, now);
    for (ReadinessConfig.Threshold t : config.thresholds()) {
      boolean holds = holds(t, board);
      boolean held = thresholdHeld(c, facility.id(), t.id());
      if (holds && !held) {
        Db.update(c, "INSERT INTO readiness_threshold (facility_id, rule_id) VALUES (?, ?)", facility.id(), t.id());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("facilityId", facility.id());
        payload.put("rule", t.id());
        payload.put("trigger", t.trigger());
        events.add(new NewEvent("readiness.threshold-crossed", null, actor, payload));
        if (starter != null && !activeIncident(c, facility.id(), t.trigger())) {
          events.addAll(starter.start(c, t.trigger(), facility.id(), summary(t, board), "readiness:" + t.id()));
        }
      } else if (!holds && held) {
        Db.update(c, "DELETE FROM readiness_threshold WHERE facility_id = ? AND rule_id = ?", facility.id(), t.id());
      }
    }
    return events;
  }

  private static boolean holds(ReadinessConfig.Threshold t, FacilityReadiness board) {
    if (t.bed() != null) {
      FacilityReadiness.Beds beds = board.beds().get(t.bed());
      return beds != null && beds.baseline() > 0 && beds.staffedAvailable() <= t.staffedAtMost();
    }
    FacilityReadiness.SystemState s = board.systems().get(t.system());
    return s != null && t.state().equals(s.state());
  }

  private static String summary(ReadinessConfig.Threshold t, FacilityReadiness board) {
    return t.bed() != null
        ? "Staffed " + t.bed().id() + " beds at " + board.beds().get(t.bed()).staffedAvailable() + " (readiness threshold)"
        : "System " + t.system() + " is " + t.state() + " (readiness threshold)";
  }

  private FacilityReadiness view(Connection c, Facility facility, Instant now) throws SQLException {
    Map<String, Entry> v = values(c, facility.id());
    Map<BedType, List<Instant>> arrivals = arrivals(c, facility.id());
    Map<BedType, FacilityReadiness.Beds> beds = new EnumMap<>(BedType.class);
    for (BedType type : BedType.values()) {
      String base = "beds." + type.id() + ".";
      Entry baseline = v.get(base + "baseline");
      Entry occupied = v.get(base + "occupied");
      Entry nurses = v.get(base + "nurses");
      if (baseline == null && occupied == null && nurses == null && !arrivals.containsKey(type)) {
        continue;
      }
      Entry latest = newest(baseline, occupied, nurses);
      beds.put(type, Staffing.beds(num(baseline), num(occupied), nurses == null ? null : num(nurses),
          arrivals.getOrDefault(type, List.of()), config.patientsPerNurse(type), now,
          latest == null ? null : latest.setBy(), latest == null ? null : latest.setAt(), overdue(latest, now)));
    }
    Map<String, FacilityReadiness.SystemState> systems = new TreeMap<>();
    for (String s : ReadinessFields.SYSTEMS) {
      Entry state = v.get("systems." + s + ".state");
      if (state != null) {
        Entry note = v.get("systems." + s + ".note");
        systems.put(s, new FacilityReadiness.SystemState(state.value(), note == null ? null : note.value(),
            state.setBy(), state.setAt(), overdue(state, now)));
      }
    }
    Map<String, FacilityReadiness.Value> supplies = new TreeMap<>();
    v.forEach((k, e) -> {
      if (k.startsWith("supplies.")) {
        supplies.put(k.substring("supplies.".length()), value(e, now));
      }
    });
    Instant updated = v.values().stream().map(Entry::setAt).max(Instant::compareTo).orElse(null);
    return new FacilityReadiness(facility.id(), facility.name(), facility.type().id(), beds,
        value(v.get("ed-status"), now), value(v.get("ems-traffic"), now), value(v.get("facility-status"), now),
        systems, supplies, updated);
  }

  /** When each counted rollcall "yes" at this facility's active incidents is due, by the bed type its role staffs. */
  private Map<BedType, List<Instant>> arrivals(Connection c, String facilityId) throws SQLException {
    Map<BedType, List<Instant>> out = new EnumMap<>(BedType.class);
    if (config.rollcallStaffing().isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT a.staff_id, a.answered_at, a.eta_minutes FROM rollcall_answer a"
        + " JOIN incident i ON i.id = a.incident_id WHERE i.facility_id = ? AND i.status = 'active'"
        + " AND a.yes = TRUE AND a.counted = TRUE AND a.eta_minutes IS NOT NULL")) {
      ps.setString(1, facilityId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Optional<BedType> type = staffs(rs.getString(1));
          if (type.isPresent()) {
            Instant at = Db.instant(rs.getObject(2)).plusSeconds(60L * rs.getInt(3));
            out.computeIfAbsent(type.get(), t -> new ArrayList<>()).add(at);
          }
        }
      }
    }
    return out;
  }

  private Optional<BedType> staffs(String staffId) {
    return roster.staff().stream().filter(s -> s.id().equals(staffId)).findFirst()
        .flatMap(s -> s.roles().stream().sorted().map(config.rollcallStaffing()::get)
            .filter(java.util.Objects::nonNull).findFirst());
  }

  private boolean overdue(Entry e, Instant now) {
    return e != null && e.setAt().plus(config.reportingInterval()).isBefore(now);
  }

  private FacilityReadiness.Value value(Entry e, Instant now) {
    return e == null ? null : new FacilityReadiness.Value(e.value(), e.setBy(), e.setAt(), overdue(e, now));
  }

  private static Entry newest(Entry... entries) {
    Entry best = null;
    for (Entry e : entries) {
      if (e != null && (best == null || e.setAt().isAfter(best.setAt()))) {
        best = e;
      }
    }
    return best;
  }

  private static int num(Entry e) {
    return e == null ? 0 : Integer.parseInt(e.value());
  }

  private Facility facility(String facilityId) {
    return roster.facility(facilityId).orElseThrow(() ->
        new Rejection(ErrorCode.NOT_FOUND, "id", "no facility with id '" + facilityId + "'"));
  }

  private static void lock(Connection c, String facilityId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT facility_id FROM readiness_facility WHERE facility_id = ? FOR UPDATE")) {
      ps.setString(1, facilityId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("facility " + facilityId + " has no readiness row");
        }
      }
    }
  }

  private static Map<String, Entry> values(Connection c, String facilityId) throws SQLException {
    Map<String, Entry> out = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT field, field_value, set_by, set_at FROM readiness_value WHERE facility_id = ?")) {
      ps.setString(1, facilityId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Entry(rs.getString(2), rs.getString(3), Db.instant(rs.getObject(4))));
        }
      }
    }
    return out;
  }

  private static void write(Connection c, String facilityId, String field, String value, String actor, Instant now)
      throws SQLException {
    Db.update(c, "DELETE FROM readiness_value WHERE facility_id = ? AND field = ?", facilityId, field);
    Db.update(c, "INSERT INTO readiness_value (facility_id, field, field_value, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
        facilityId, field, value, actor, Db.ts(now));
  }

  private static boolean thresholdHeld(Connection c, String facilityId, String ruleId) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM readiness_threshold WHERE facility_id = ? AND rule_id = ?", facilityId, ruleId);
  }

  private static boolean activeIncident(Connection c, String facilityId, String type) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM incident WHERE facility_id = ? AND incident_type = ? AND status = 'active'",
        facilityId, type);
  }

}
