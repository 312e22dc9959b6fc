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
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
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
import java.util.TreeSet;

/**
 * Facility readiness against the database. An update locks its facility, checks the merged values,
 * writes what changed with who and when, journals it, and, when a threshold starts to hold,
 * starts the incident it names, all in one transaction; updates from the API come in batches that
 * share one transaction. A rollcall answer that changes the staffed beds checks the thresholds
 * again in its own transaction. Blocking.
 */
public final class ReadinessService implements Steps {
  private static final Set<String> UPDATED = Set.of(Event.typeOf(ReadinessEvent.Updated.class));
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
        ReadinessSql.ensure(c, f.id());
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
      if (!ReadinessSql.empty(c)) {
        return 0;
      }
      int replayed = 0;
      Set<String> written = new HashSet<>();
      long head = Journal.head(c);
      List<JournalEvent> updates;
      for (long after = 0; !(updates = Journal.ofTypes(c, after, head, UPDATED, 1000)).isEmpty();
           after = updates.get(updates.size() - 1).seq()) {
        for (JournalEvent e : updates) {
          ReadinessEvent.Updated update = EventJson.read(e.payload(), ReadinessEvent.Updated.class);
          if (roster.facility(update.facilityId()).isEmpty()) {
            continue;
          }
          for (Map.Entry<String, String> ch : update.changes().entrySet()) {
            ReadinessSql.write(c, update.facilityId(), ch.getKey(), ch.getValue(), e.actor(), e.at(),
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
    ReadinessSql.lockAll(c, ids);
    Map<String, Map<String, Board.Reported>> boards = ReadinessSql.values(c, ids);
    Map<String, Map<BedType, List<Instant>>> arrivals = arrivals(c, null);
    List<NewEvent> events = new ArrayList<>();
    ReadinessSql.Writes writes = new ReadinessSql.Writes();
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
    ReadinessSql.lock(c, facilityId);
    Map<String, Board.Reported> current = ReadinessSql.values(c, facilityId);
    ReadinessSql.Writes writes = new ReadinessSql.Writes();
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
    ReadinessSql.lock(c, facilityId);
    return thresholds(c, facility.get(), ReadinessSql.values(c, facilityId),
        arrivals(c, facilityId).getOrDefault(facilityId, Map.of()), now, actor);
  }

  /**
   * Queues the writes of the values that differ from {@code current} (which follows them), and
   * returns the update's event and those of the thresholds it makes start to hold.
   */
  private List<NewEvent> record(Connection c, Facility facility, Map<String, Board.Reported> current, Map<String, String> changes,
                                String actor, Instant now, Db.Work<Map<BedType, List<Instant>>> arrivals, ReadinessSql.Writes writes)
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
      Map<String, Map<String, Board.Reported>> all = ReadinessSql.values(c, (Collection<String>) null);
      for (Facility f : roster.facilities()) {
        for (Map.Entry<String, Board.Reported> e : all.getOrDefault(f.id(), Map.of()).entrySet()) {
          Board.Reported v = e.getValue();
          if (Board.overdue(v, config, now) && ReadinessSql.claimReminder(c, f.id(), e.getKey(), v.setAt(), now)) {
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

  public FacilityReadiness board(String facilityId) {
    Facility facility = facility(facilityId);
    return db.tx(c -> Board.of(facility, ReadinessSql.values(c, facilityId), arrivals(c, facilityId).getOrDefault(facilityId, Map.of()),
        config, clock.instant()));
  }

  /** Every facility's board, for the region. */
  public List<FacilityReadiness> region() {
    return db.tx(c -> {
      Instant now = clock.instant();
      Map<String, Map<String, Board.Reported>> values = ReadinessSql.values(c, (Collection<String>) null);
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
    Set<String> held = ReadinessSql.held(c, facility.id());
    List<NewEvent> events = new ArrayList<>();
    for (ReadinessRules.Threshold t : config.thresholds()) {
      boolean holds = t.holds(board);
      if (holds && !held.contains(t.id())) {
        ReadinessSql.hold(c, facility.id(), t.id());
        events.add(new NewEvent(new ReadinessEvent.ThresholdCrossed(facility.id(), t.id(), t.trigger(),
            t.summary(board)), null, actor));
      } else if (!holds && held.contains(t.id())) {
        ReadinessSql.release(c, facility.id(), t.id());
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

  /** The clock's time at the precision the database keeps, so that a board built in memory reads back the same. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
