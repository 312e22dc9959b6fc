package io.muster.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.flywaydb.core.api.callback.BaseCallback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * After every migration run by the schema owner: gives the role Muster runs as what it uses, and no
 * more. Every table: SELECT, INSERT, UPDATE, DELETE; the audit log: SELECT and INSERT only (its
 * head row may be updated: the head is sealed by the keyed chain and the checkpoints). Not the
 * migration history, no TRUNCATE, no grant option; the runtime role owns nothing, so it can neither
 * alter a table nor disable a trigger. Runs after each migrate, so a table a later migration adds
 * is granted too. The role's name comes from the placeholder {@value #PLACEHOLDER}.
 */
final class RuntimeRoleGrants extends BaseCallback {
  static final String PLACEHOLDER = "muster_runtime_role";
  private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

  /** The runtime role's name, checked before it goes into any statement. */
  static String checked(String role) {
    if (role == null || !ROLE.matcher(role).matches()) {
      throw new IllegalArgumentException("db.user: the runtime role's name must be letters, digits and _ (got '"
          + role + "')");
    }
    return role;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.AFTER_MIGRATE;
  }

  @Override
  public void handle(Event event, Context context) {
    String role = checked(context.getConfiguration().getPlaceholders().get(PLACEHOLDER));
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
      String grantee = postgres ? "\"" + role + "\"" : role;
      String schema = c.getSchema();
      if (postgres) {
        s.execute("GRANT USAGE ON SCHEMA \"" + schema + "\" TO " + grantee);
        // The journal's provisional sequences (V21).
        s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA \"" + schema + "\" TO " + grantee);
      }
      for (String table : tables(c.getMetaData(), schema)) {
        String name = table.toLowerCase(Locale.ROOT);
        String quoted = "\"" + table + "\"";
        if ("flyway_schema_history".equals(name)) {
          continue;
        }
        if ("audit_log".equals(name)) {
          s.execute("REVOKE ALL ON " + quoted + " FROM " + grantee);
          s.execute("GRANT SELECT, INSERT ON " + quoted + " TO " + grantee);
        } else if ("audit_head".equals(name)) {
          s.execute("REVOKE ALL ON " + quoted + " FROM " + grantee);
          s.execute("GRANT SELECT, UPDATE ON " + quoted + " TO " + grantee);
        } else {
          s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + quoted + " TO " + grantee);
        }
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  private static List<String> tables(DatabaseMetaData meta, String schema) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        tables.add(rs.getString("TABLE_NAME"));
      }
    }
    return tables;
  }

  @Override
  public String getCallbackName() {
    return "muster-runtime-role-grants";
  }
}
