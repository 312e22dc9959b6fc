package io.muster.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.ManualClock;
import io.muster.incident.IncidentRecords;
import io.muster.notify.MessageStore;
import io.muster.playbook.RollcallArrivals;
import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.ReadinessEvent;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Roster;
import io.muster.store.Db;
import io.muster.store.NewEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thresholds re-checked when rollcall answers change the staffed beds, against a real (H2)
 * database: a float-pool nurse's "yes" staffs medical-surgical beds, and staffed medical-surgical
 * beds at 0 start a surge.
 */
class RollcallThresholdsTest {
  private static final Roster ROSTER = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));
  private static final ReadinessRules.Threshold SURGE = new ReadinessRules.Threshold(
      "medical-surgical<=0->surge-capacity", BedType.MEDICAL_SURGICAL, 0, null, null, "surge-capacity");
  private static final List<String> LENA = List.of("lena-fischer");

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-30T12:00:00Z"));
  private Db db;
  private ReadinessService readiness;
  private String callout;

  @BeforeEach
  void open(@TempDir Path dir) {
    db = Db.open("jdbc:h2:file:" + dir.resolve("r") + ";LOCK_TIMEOUT=10000", "sa", "", 4);
    ReadinessRules defaults = ReadinessRules.defaults();
    readiness = new ReadinessService(db, clock, ROSTER, new ReadinessRules(Duration.ofHours(4),
        defaults.patientsPerNurse(), Map.of("rn-float-pool", BedType.MEDICAL_SURGICAL), List.of(SURGE),
        defaults.reporterRoles()), new RollcallArrivals(new IncidentRecords()), new MessageStore());
    readiness.ensureFacilities();
    callout = db.tx(c -> incident(c, "nurse-callout", "general"));
    answer("lena-fischer", true); // here now
    // 2 nurses on shift and Lena cover 15 patients: 5 free beds are staffed
    readiness.update("general", Map.of("beds.medical-surgical.baseline", "30", "beds.medical-surgical.occupied", "10",
        "beds.medical-surgical.nurses", "2"), "api");
    assertThat(staffed()).isEqualTo(5);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  @DisplayName("a changed answer that takes staffed beds to 0 starts the surge, in the answer's transaction, once")
  void changedAnswerStartsTheSurge() {
    answer("lena-fischer", false);
    List<NewEvent> events = check("general", LENA);

    assertThat(staffed()).isZero();
    assertThat(events).extracting(e -> e.event()).containsExactly(new ReadinessEvent.ThresholdCrossed("general",
        SURGE.id(), "surge-capacity", "Staffed medical-surgical beds at 0 (readiness threshold)"));
    assertThat(events.get(0).actor()).isEqualTo("sms:lena-fischer");

    assertThat(check("general", LENA))
        .as("checked again while it still holds").isEmpty();
  }

  @Test
  @DisplayName("released and held again by answers: crossed again (the incident feature starts no second surge)")
  void holdingAgainStartsNoSecondIncident() {
    answer("lena-fischer", false);
    check("general", LENA);
    answer("lena-fischer", true);
    assertThat(check("general", LENA))
        .as("released").isEmpty();
    assertThat(staffed()).isEqualTo(5);

    answer("lena-fischer", false);
    List<NewEvent> again = check("general", LENA);
    assertThat(again).extracting(NewEvent::type).containsExactly("readiness.threshold-crossed");
  }

  @Test
  @DisplayName("an answer from someone whose role staffs no beds, or at a facility nobody reports, checks nothing")
  void answersThatStaffNothingCheckNothing() {
    answer("lena-fischer", false);
    assertThat(check("general", List.of("tom-okafor")))
        .isEmpty();
    assertThat(check("mars-base", LENA)).isEmpty();
    // the next readiness write sees it, as before
    assertThat(readiness.update("general", Map.of("supplies.ppe-days", "4"), "api").events())
        .extracting(e -> e.type()).contains("readiness.threshold-crossed");
  }

  /** Re-checks after answers, in a transaction of its own, as the one recording them would. */
  private List<NewEvent> check(String facilityId, List<String> answeredBy) {
    return db.tx(c -> readiness.staffingChanged(c, facilityId, answeredBy, clock.instant(), "sms:lena-fischer"));
  }

  private int staffed() {
    return readiness.board("general").beds().get(BedType.MEDICAL_SURGICAL).staffedAvailable();
  }

  /** Lena's latest answer to the call-out: yes, here now (ETA 0), or no. */
  private void answer(String staffId, boolean yes) {
    db.tx(c -> {
      Db.update(c, "DELETE FROM rollcall_answer WHERE incident_id = ? AND staff_id = ?", callout, staffId);
      return Db.update(c, "INSERT INTO rollcall_answer (incident_id, step_id, staff_id, staff_name, choice, yes, counted,"
          + " eta_minutes, answered_at) VALUES (?, 'callback', ?, ?, ?, ?, TRUE, ?, ?)", callout, staffId, staffId,
          yes ? 1 : 3, yes, yes ? 0 : null, Db.ts(clock.instant()));
    });
  }

  private String incident(java.sql.Connection c, String type, String facilityId) throws java.sql.SQLException {
    String id = UUID.randomUUID().toString();
    Db.update(c, "INSERT INTO incident (id, ref, incident_type, facility_id, summary, severity, drill, status,"
        + " triggered_at, triggered_by) VALUES (?, ?, ?, ?, 'test', 'high', FALSE, 'active', ?, 'test')", id,
        id.substring(0, 8), type, facilityId, Db.ts(Instant.now()));
    return id;
  }
}
