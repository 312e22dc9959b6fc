package io.muster.it;

import io.muster.app.Features;
import io.muster.playbook.PlaybookLoader;
import io.muster.playbook.domain.Playbook;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Roster;
import io.muster.store.Db;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** The features wired as a node wires them, on the integration tests' roster and playbooks, for tests that call them directly. */
public final class TestFeatures {
  public static final Roster ROSTER = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));
  public static final Map<String, Playbook> PLAYBOOKS =
      PlaybookLoader.loadDir(Path.of("src/test/resources/it/playbooks"), ROSTER.roles());

  private TestFeatures() {
  }

  public static Features on(Db db) {
    return on(db, Clock.systemUTC(), Duration.ofSeconds(120));
  }

  /** {@code receiptOverdue}: when a sent message without a receipt counts as unknown (and is reconciled). */
  public static Features on(Db db, Clock clock, Duration receiptOverdue) {
    return Features.wire(db, clock, ROSTER, PLAYBOOKS, ReadinessRules.defaults(), new Features.Settings("test-node",
        Duration.ofSeconds(30), 0, Duration.ofMinutes(2), receiptOverdue));
  }
}
