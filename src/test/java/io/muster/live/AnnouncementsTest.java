package io.muster.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Announcements announcements = new Announcements(now::get);

  @Test
  @DisplayName("an announced sequence the journal does not reach is reported by the first read that started after it")
  void reportsWhatTheJournalDoesNotHave() {
    announcements.heard("rogue", 12, 5);

    assertThat(announcements.judge(4, 10)).as("a read that started before the announcement").isEmpty();
    assertThat(announcements.judge(5, 10)).get().asString()
        .contains("announced sequence 12 which the journal does not have (it ends at 10)").contains("node rogue");
    assertThat(announcements.judge(6, 10)).as("reported once").isEmpty();
  }

  @Test
  @DisplayName("an announcement the journal bears out is not reported")
  void coveredAnnouncementIsQuiet() {
    announcements.heard("node-b", 12, 5);
    announcements.heard("node-b", 11, 5);

    assertThat(announcements.judge(5, 12)).isEmpty();
  }

  @Test
  @DisplayName("the highest announcement is the one judged, and it waits for a read after the latest word")
  void highestAnnouncementWins() {
    announcements.heard("node-b", 11, 3);
    announcements.heard("rogue", 99, 4);

    assertThat(announcements.judge(3, 11)).isEmpty();
    assertThat(announcements.judge(4, 11)).get().asString().contains("sequence 99").contains("rogue");
  }

  @Test
  @DisplayName("a sender is reported at most once a minute; another sender is reported at once")
  void oncePerSenderPerMinute() {
    assertThat(announcements.malformed("rogue")).isPresent();
    announcements.heard("rogue", 50, 1);
    assertThat(announcements.judge(1, 10)).isEmpty();
    assertThat(announcements.malformed("other")).get().asString().contains("announced no sequence");

    now.addAndGet(Announcements.REPORT_EVERY_MS);
    announcements.heard("rogue", 50, 2);
    assertThat(announcements.judge(2, 10)).isPresent();
  }
}
