package io.muster.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.ManualClock;
import io.muster.incident.IncidentRecords;
import io.muster.notify.MessageStore;
import io.muster.notify.domain.Notification;
import io.muster.playbook.RollcallArrivals;
import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.FacilityReadiness;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import io.muster.store.Db;
import io.muster.store.JournalEvent;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness against a real (H2) database under a virtual clock: reminders, SMS updates, rebuild. */
class ReadinessServiceTest {
  private static final Roster ROSTER = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-30T12:00:00Z"));
  private Db db;
  private ReadinessService readiness;

  @BeforeEach
  void open(@TempDir Path dir) {
    db = Db.open("jdbc:h2:file:" + dir.resolve("r") + ";LOCK_TIMEOUT=10000", "sa", "", 4);
    readiness = new ReadinessService(db, clock, ROSTER, ReadinessRules.defaults(), new RollcallArrivals(new IncidentRecords()),
        new MessageStore());
    readiness.ensureFacilities();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  @DisplayName("a value older than the reporting interval reminds the person who sent it by SMS, once")
  void overdueRemindsItsOwnerOnce() {
    Staff marcus = staff("marcus-ng");
    db.tx(c -> readiness.smsUpdate(c, marcus, Map.of("beds.adult-icu.baseline", "20"), clock.instant()));

    clock.advance(Duration.ofHours(3));
    assertThat(readiness.remindOverdue()).as("not overdue after 3 h of 4").isEmpty();

    clock.advance(Duration.ofHours(2));
    List<JournalEvent> first = readiness.remindOverdue();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).payload()).containsEntry("staffId", "marcus-ng");
    assertThat(infoTo("+16175550102")).singleElement().satisfies(body ->
        assertThat(body).contains("Readiness update due at Muster General Hospital").contains("beds.adult-icu.baseline"));
    assertThat(readiness.board("general").beds().get(BedType.ADULT_ICU).overdue()).isTrue();

    clock.advance(Duration.ofHours(1));
    assertThat(readiness.remindOverdue()).as("each value once, until it is reported again").isEmpty();

    db.tx(c -> readiness.smsUpdate(c, marcus, Map.of("beds.adult-icu.baseline", "22"), clock.instant()));
    clock.advance(Duration.ofHours(5));
    assertThat(readiness.remindOverdue()).as("the new report is reminded when it is overdue in its turn").hasSize(1);
  }

  @Test
  @DisplayName("a value set through the API reminds the facility's reporters")
  void apiValuesRemindTheReporters() {
    readiness.update("general", Map.of("ed-status", "advisory"), "api");
    clock.advance(Duration.ofHours(5));
    List<JournalEvent> events = readiness.remindOverdue();
    assertThat(events).extracting(e -> e.payload().get("staffId")).containsExactly("marcus-ng");
  }

  @Test
  @DisplayName("BEDS ICU 4 by SMS from a reporter sets occupied from the baseline; others are refused")
  void smsKeywordUpdates() {
    readiness.update("general", Map.of("beds.adult-icu.baseline", "20", "beds.adult-icu.occupied", "10"), "api");
    clock.advance(Duration.ofSeconds(60));
    io.muster.notify.port.Keywords.Handled ok = db.tx(c -> readiness.smsUpdate(c, staff("marcus-ng"),
        Map.of("beds.adult-icu.available", "4"), clock.instant()));
    assertThat(ok.outcome()).isEqualTo("readiness-updated");
    assertThat(ok.answer()).startsWith("Recorded for Muster General Hospital");
    FacilityReadiness.Beds icu = readiness.board("general").beds().get(BedType.ADULT_ICU);
    assertThat(icu.occupied()).isEqualTo(16);
    assertThat(icu.setBy()).isEqualTo("sms:marcus-ng");

    io.muster.notify.port.Keywords.Handled tooMany = db.tx(c -> readiness.smsUpdate(c, staff("marcus-ng"),
        Map.of("beds.adult-icu.available", "25"), clock.instant()));
    assertThat(tooMany.outcome()).isEqualTo("readiness-refused");
    assertThat(tooMany.answer()).contains("more than the baseline");

    io.muster.notify.port.Keywords.Handled notReporter = db.tx(c -> readiness.smsUpdate(c, staff("tom-okafor"),
        Map.of("beds.adult-icu.available", "2"), clock.instant()));
    assertThat(notReporter.outcome()).isEqualTo("readiness-refused");
    assertThat(readiness.board("general").beds().get(BedType.ADULT_ICU).occupied()).as("nothing changed").isEqualTo(16);
  }

  @Test
  @DisplayName("with its table emptied, the board is rebuilt from the journal exactly as it was")
  void rebuildFromJournal() {
    readiness.update("general", Map.of("beds.adult-icu.baseline", "20", "beds.adult-icu.occupied", "10",
        "beds.adult-icu.nurses", "6"), "api");
    clock.advance(Duration.ofSeconds(60));
    readiness.update("general", Map.of("beds.adult-icu.occupied", "12", "systems.power.state", "degraded"), "api");
    FacilityReadiness before = readiness.board("general");

    assertThat(readiness.rebuildFromJournal()).as("nothing to do while the table has the board").isZero();
    db.tx(c -> Db.update(c, "DELETE FROM readiness_value"));
    assertThat(readiness.board("general").beds()).isEmpty();

    assertThat(readiness.rebuildFromJournal()).isEqualTo(2);
    assertThat(readiness.board("general")).isEqualTo(before);
  }

  @Test
  @DisplayName("a batch applies its updates in order, each on the board the ones before left; a refused one changes"
      + " nothing and stops none of the others")
  void batchAppliesInOrder() {
    List<ReadinessService.Outcome> out = readiness.updateAll(List.of(
        request("general", Map.of("beds.adult-icu.baseline", "20")),
        request("general", Map.of("ed-status", "diversion", "beds.adult-icu.occupied", "25")),
        request("general", Map.of("beds.adult-icu.occupied", "15")),
        request("mars-base", Map.of("ed-status", "closed")),
        request("eastside-clinic", Map.of("supplies.ppe-days", "3")),
        request("general", Map.of("beds.adult-icu.occupied", "15")),
        request("eastside-clinic", Map.of("supplies.ppe-days", "4"))));

    assertThat(out.get(0).updated().board().beds().get(BedType.ADULT_ICU).baseline()).isEqualTo(20);
    assertThat(out.get(1).failure()).isInstanceOfSatisfying(io.muster.common.InvalidInput.class,
        e -> assertThat(e.field()).isEqualTo("beds.adult-icu.occupied"));
    FacilityReadiness.Beds icu = out.get(2).updated().board().beds().get(BedType.ADULT_ICU);
    assertThat(icu.occupied()).as("valid on the first update's baseline").isEqualTo(15);
    assertThat(icu.available()).isEqualTo(5);
    assertThat(out.get(3).failure()).isInstanceOfSatisfying(io.muster.common.Rejection.class,
        e -> assertThat(e.code()).isEqualTo(io.muster.common.ErrorCode.NOT_FOUND));
    assertThat(out.get(4).updated().board().supplies().get("ppe-days").setBy()).isEqualTo("api");
    assertThat(out.get(5).updated().events()).as("the same value again").isEmpty();

    for (int i : new int[] {0, 2, 4, 6}) {
      assertThat(out.get(i).updated().events()).hasSize(1);
    }
    List<Map<String, Object>> answered = out.stream().filter(o -> o.updated() != null)
        .flatMap(o -> o.updated().events().stream()).map(JournalEvent::payload).toList();
    List<Map<String, Object>> journaled = db.tx(c -> io.muster.store.Journal.after(c, 0, 1000)).stream()
        .filter(e -> e.type().equals(out.get(0).updated().events().get(0).type())).map(JournalEvent::payload).toList();
    assertThat(journaled).as("journal order is the batch's order").isEqualTo(answered);
    FacilityReadiness general = readiness.board("general");
    assertThat(general.edStatus()).as("nothing of the refused update").isNull();
    assertThat(general).as("the board as the batch answered it").isEqualTo(out.get(2).updated().board());
    assertThat(readiness.board("eastside-clinic").supplies().get("ppe-days").value())
        .as("a new field written twice in one batch keeps the later value").isEqualTo("4");
    assertThat(db.tx(c -> io.muster.store.Journal.after(c, 0, 100)).stream()
        .filter(e -> "readiness.updated".equals(e.type())).map(e -> e.payload().get("facilityId")))
        .containsExactly("general", "general", "eastside-clinic", "eastside-clinic");
  }

  private static ReadinessService.Request request(String facilityId, Map<String, String> changes) {
    return new ReadinessService.Request(facilityId, changes, "api");
  }

  private static Staff staff(String id) {
    return ROSTER.staff().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  private List<String> infoTo(String phone) {
    return db.tx(c -> {
      List<String> bodies = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT body FROM notification WHERE phone = ? AND kind = ? ORDER BY created_at")) {
        ps.setString(1, phone);
        ps.setString(2, Notification.Kind.INFO.id());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            bodies.add(rs.getString(1));
          }
        }
      }
      return bodies;
    });
  }
}
