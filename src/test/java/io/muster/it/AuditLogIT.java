package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.app.Main;
import io.muster.app.MusterConfig;
import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The audit log cannot be quietly changed: the database refuses UPDATE and DELETE, and when
 * someone with the rights to get around that edits or deletes a row anyway (or edits a journal
 * event), {@code muster audit-verify} says so.
 */
class AuditLogIT {

  /** A node's worth of history: sign-ins, an incident and its pages, a resolve; then the node stops. */
  private static void history(TestDatabase db) {
    try (TestNodes nodes = new TestNodes(db)) {
      String base = TestNodes.baseUrl(nodes.start());
      Http.Response r = Http.postJson(base + "/api/v1/incidents",
          "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"Audit test\"}");
      assertThat(r.status()).isEqualTo(201);
      assertThat(Http.postJson(base + "/api/v1/incidents/" + r.json().getString("id") + "/resolve", "").status())
          .isEqualTo(200);
    }
  }

  private static String verify(TestDatabase db, int expectedExit) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MusterConfig config = MusterConfig.of(new JsonObject().put("db", new JsonObject().put("url", db.url).put("user", db.user)));
    int exit = Main.auditVerify(config, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isEqualTo(expectedExit);
    return text;
  }

  private static void sql(TestDatabase db, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url, db.user, ""); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an intact log verifies; UPDATE and DELETE are refused by the database")
  void intactAndGuarded(String kind) throws SQLException {
    try (TestDatabase db = TestDatabase.create(kind)) {
      history(db);
      assertThat(db.count("SELECT COUNT(*) FROM audit_log")).isGreaterThan(5);
      assertThat(verify(db, 0)).startsWith("audit log intact");
      assertThatThrownBy(() -> sql(db, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> sql(db, "DELETE FROM audit_log WHERE seq = 2")).hasMessageContaining("append-only");
      assertThat(verify(db, 0)).startsWith("audit log intact");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an edited row, a deleted row, a row removed from the end and an edited journal event are each detected")
  void tamperingDetected(String kind) throws SQLException {
    try (TestDatabase db = TestDatabase.create(kind)) {
      history(db);
      long rows = db.count("SELECT COUNT(*) FROM audit_log");
      // Someone who may change the schema gets around the guard.
      sql(db, "postgres".equals(kind) ? "ALTER TABLE audit_log DISABLE TRIGGER USER" : "DROP TRIGGER audit_log_no_change");
      sql(db, "UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 3");
      assertThat(verify(db, 1)).contains("row 3 was changed after it was written").contains("NOT intact");

      sql(db, "UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 4) WHERE seq = 3");
      sql(db, "DELETE FROM audit_log WHERE seq = 5");
      assertThat(verify(db, 1)).contains("row 5 is missing");

      sql(db, "DELETE FROM audit_log WHERE seq = " + rows);
      assertThat(verify(db, 1)).contains("rows were removed from its end");

      sql(db, "UPDATE journal SET payload = '{}' WHERE seq = 1");
      assertThat(verify(db, 1)).contains("journal event recorded by audit row").contains("was changed after it was written");
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("PostgreSQL: the role that owns the schema and runs Muster has no UPDATE, DELETE or TRUNCATE on the audit log")
  void applicationRoleCannotChangeIt() throws SQLException {
    TestDatabase.requirePostgres();
    String role = "muster_app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String dbName = role + "_db";
    try (Connection admin = DriverManager.getConnection(TestDatabase.PG_ADMIN_URL, TestDatabase.PG_USER, "");
         Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER");
      s.execute("CREATE DATABASE " + dbName + " OWNER " + role);
    }
    String url = "jdbc:postgresql://127.0.0.1:5432/" + dbName;
    try {
      Db.open(url, role, "", 2).close();
      try (Connection c = DriverManager.getConnection(url, role, ""); Statement s = c.createStatement()) {
        s.execute("INSERT INTO audit_log (seq, logged_at, actor, origin, action, outcome, detail, prev_hash, row_hash)"
            + " VALUES (1000, now(), 'x', 'x', 'x', 'x', '', 'x', 'x')");
        for (String change : new String[] {"UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
          assertThatThrownBy(() -> s.execute(change)).as(change).hasMessageContaining("permission denied");
        }
        s.execute("GRANT UPDATE, DELETE ON audit_log TO " + role);
        assertThatThrownBy(() -> s.execute("UPDATE audit_log SET actor = 'y'")).hasMessageContaining("append-only");
      }
    } finally {
      try (Connection admin = DriverManager.getConnection(TestDatabase.PG_ADMIN_URL, TestDatabase.PG_USER, "");
           Statement s = admin.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
        s.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }
}
