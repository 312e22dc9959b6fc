package io.muster.store;

import db.migration.V5_1__AuditAppendOnly;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resource.classpath.ClassPathResource;

/**
 * The schema migrations, named here instead of found by Flyway's classpath scan: the scan walks
 * every entry of the packaged jar (some 39,000) for the SQL files and again for the Java ones,
 * which took a noticeable part of each start. The migrations themselves, their names and their
 * checksums are the very ones the scan finds (a test checks both ways, on H2 and PostgreSQL), so a
 * database migrated before this list existed validates against it unchanged.
 *
 * <p>A new migration is added to its folder ({@code src/main/resources/db/migration} or the
 * {@code db.migration} package) and to the list here; a test fails until both agree.
 */
final class Migrations implements ResourceProvider, ClassProvider<JavaMigration> {
  static final String LOCATION = "db/migration";

  /** The SQL migrations in {@code src/main/resources/db/migration}, in version order. */
  static final List<String> SQL = List.of(
      "V1__core.sql",
      "V2__playbook_runs.sql",
      "V3__sms_reliability.sql",
      "V4__readiness.sql",
      "V5__security.sql",
      "V6__audit_keyed.sql",
      "V9__user_sessions.sql",
      "V10__delivery_certainty.sql",
      "V11__delivery_reconciliation.sql",
      "V20__journal_cursor.sql",
      "V21__journal_sequencer.sql",
      "V22__outbox_due.sql");

  /** The Java migrations in the {@code db.migration} package. */
  static final List<Class<? extends JavaMigration>> JAVA = List.of(V5_1__AuditAppendOnly.class);

  private final List<LoadableResource> resources;

  private Migrations() {
    Location location = new Location("classpath:" + LOCATION);
    ClassLoader loader = Migrations.class.getClassLoader();
    this.resources = SQL.stream().<LoadableResource>map(name -> new ClassPathResource(location, LOCATION + "/" + name,
        loader, StandardCharsets.UTF_8)).toList();
  }

  /** {@code flyway} with these migrations, and no scan. */
  static FluentConfiguration listed(FluentConfiguration flyway) {
    Migrations migrations = new Migrations();
    return flyway.locations("classpath:" + LOCATION).resourceProvider(migrations).javaMigrationClassProvider(migrations);
  }

  @Override
  public LoadableResource getResource(String name) {
    return resources.stream().filter(r -> r.getRelativePath().equals(name) || r.getAbsolutePath().equals(name))
        .findFirst().orElse(null);
  }

  /** As Flyway's scanner answers: the resources whose file name starts with {@code prefix} and ends with one of {@code suffixes}. */
  @Override
  public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
    return resources.stream().filter(r -> r.getFilename().startsWith(prefix)
        && Arrays.stream(suffixes).anyMatch(r.getFilename()::endsWith)).toList();
  }

  @Override
  public Collection<Class<? extends JavaMigration>> getClasses() {
    return JAVA;
  }
}
