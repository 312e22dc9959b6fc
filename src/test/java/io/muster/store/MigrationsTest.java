package io.muster.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.it.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listed migrations ({@link Migrations}) are exactly those Flyway's classpath scan finds, with
 * the same versions, descriptions, scripts and checksums: a database migrated by the scan (every
 * database made before the list) validates and upgrades with the list, and the other way round.
 */
class MigrationsTest {

  @Test
  @DisplayName("the list names every migration in src/main/resources/db/migration and the db.migration package, and no other")
  void listMatchesTheFolders() throws IOException {
    try (Stream<Path> sql = Files.list(Path.of("src/main/resources/db/migration"));
         Stream<Path> java = Files.list(Path.of("src/main/java/db/migration"))) {
      assertThat(Migrations.SQL).containsExactlyInAnyOrderElementsOf(
          sql.map(p -> p.getFileName().toString()).toList());
      assertThat(Migrations.JAVA.stream().map(Class::getSimpleName).toList()).containsExactlyInAnyOrderElementsOf(
          java.map(p -> p.getFileName().toString().replace(".java", "")).toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("on a fresh database, the list and the scan plan the same migrations, with the same checksums")
  void samePlan(String kind) {
    try (TestDatabase db = TestDatabase.create(kind)) {
      assertThat(described(listed(db).load().info().all())).isNotEmpty()
          .containsExactlyElementsOf(described(scanned(db).load().info().all()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a database the scan migrated part of the way (an older Muster) validates with the list, which migrates the rest")
  void upgradesWhatTheScanMigrated(String kind) {
    try (TestDatabase db = TestDatabase.create(kind)) {
      scanned(db).target("6").load().migrate();

      Db.open(db.url, db.user, "", 2).close();

      Flyway scan = scanned(db).load();
      scan.validate();
      assertThat(scan.info().pending()).isEmpty();
      assertThat(described(scan.info().applied())).containsExactlyElementsOf(described(listed(db).load().info().applied()));
      assertThat(scan.info().applied()).hasSize(Migrations.SQL.size() + Migrations.JAVA.size());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a database the list migrated validates with the scan: nothing pending, nothing changed")
  void theScanAcceptsWhatTheListMigrated(String kind) {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Db.open(db.url, db.user, "", 2).close();

      Flyway scan = scanned(db).load();
      scan.validate();
      assertThat(scan.info().pending()).isEmpty();
      assertThat(scan.migrate().migrationsExecuted).isZero();
    }
  }

  private static FluentConfiguration scanned(TestDatabase db) {
    return Flyway.configure().locations("classpath:db/migration").dataSource(db.url, db.user, "");
  }

  private static FluentConfiguration listed(TestDatabase db) {
    return Migrations.listed(Flyway.configure()).dataSource(db.url, db.user, "");
  }

  /** What Flyway compares when it validates, and the script it records. */
  private static List<String> described(MigrationInfo[] migrations) {
    return Arrays.stream(migrations).map(m -> m.getVersion() + " | " + m.getDescription() + " | " + m.getType()
        + " | " + m.getScript() + " | " + m.getChecksum()).toList();
  }
}
