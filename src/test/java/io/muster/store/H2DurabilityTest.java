package io.muster.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits on H2 reach the file before they return, whatever URL the operator gives. */
class H2DurabilityTest {

  @Test
  @DisplayName("an H2 database on disk without WRITE_DELAY gets WRITE_DELAY=0")
  void addsTheSetting() {
    assertThat(H2Durability.url("jdbc:h2:file:./data/muster;LOCK_TIMEOUT=10000"))
        .isEqualTo("jdbc:h2:file:./data/muster;LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    assertThat(H2Durability.url("jdbc:h2:./data/muster")).isEqualTo("jdbc:h2:./data/muster;WRITE_DELAY=0");
    assertThat(H2Durability.url("jdbc:h2:tcp://db:9092/muster")).isEqualTo("jdbc:h2:tcp://db:9092/muster;WRITE_DELAY=0");
  }

  @Test
  @DisplayName("a WRITE_DELAY the operator set is kept (with a warning when it is not 0)")
  void keepsAnExplicitSetting() {
    assertThat(H2Durability.url("jdbc:h2:file:/x;write_delay=0")).isEqualTo("jdbc:h2:file:/x;write_delay=0");
    assertThat(H2Durability.url("jdbc:h2:file:/x;WRITE_DELAY = 500;LOCK_TIMEOUT=1"))
        .isEqualTo("jdbc:h2:file:/x;WRITE_DELAY = 500;LOCK_TIMEOUT=1");
    assertThat(H2Durability.writeDelay("jdbc:h2:file:/x;WRITE_DELAY = 500")).contains("500");
  }

  @Test
  @DisplayName("PostgreSQL and H2 in memory are left alone")
  void otherUrlsUnchanged() {
    assertThat(H2Durability.url("jdbc:postgresql://127.0.0.1:5432/muster")).isEqualTo("jdbc:postgresql://127.0.0.1:5432/muster");
    assertThat(H2Durability.url("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isEqualTo("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1");
  }

  @Test
  @DisplayName("a database opened from a URL without the setting runs with WRITE_DELAY 0")
  void openedDatabaseHasNoWriteDelay(@TempDir Path dir) {
    try (Db db = Db.open("jdbc:h2:file:" + dir.resolve("muster") + ";LOCK_TIMEOUT=10000", "sa", "", 2)) {
      String value = db.tx(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'");
             ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(value).isEqualTo("0");
    }
  }
}
