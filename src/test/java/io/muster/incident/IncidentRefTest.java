package io.muster.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Features;
import io.muster.incident.domain.TriggerIncident;
import io.muster.it.TestFeatures;
import io.muster.notify.MessageStore;
import io.muster.store.Db;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incident references are short and random, so two can collide; a trigger is answered anyway. */
class IncidentRefTest {

  @Test
  @DisplayName("a trigger whose random reference is already taken draws another instead of failing")
  void collidingReferenceIsDrawnAgain(@TempDir Path dir) {
    try (Db db = Db.open("jdbc:h2:file:" + dir.resolve("muster"), "sa", "", 2)) {
      // The first two references drawn are the same; the third differs.
      RandomGenerator random = new RandomGenerator() {
        private int calls;

        @Override
        public long nextLong() {
          return 0;
        }

        @Override
        public int nextInt(int bound) {
          return calls++ < 10 ? 0 : calls % bound;
        }
      };
      Incidents incidents = new Incidents(db, Clock.systemUTC(), TestFeatures.ROSTER,
          Features.types(TestFeatures.PLAYBOOKS), TestFeatures.on(db).runs(), new MessageStore(),
          Duration.ofMinutes(2), random);
      TriggerIncident cmd = new TriggerIncident("mass-casualty", "general", "Bus crash", null, false);
      String first = incidents.trigger(cmd, null, "test").incident().ref();
      String second = incidents.trigger(cmd, null, "test").incident().ref();
      assertThat(first).isEqualTo("AAAAA");
      assertThat(second).isNotEqualTo(first).hasSize(5);
    }
  }
}
