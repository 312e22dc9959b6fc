package db.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Makes the audit log append-only in the database itself. PostgreSQL: UPDATE, DELETE and TRUNCATE
 * are revoked from everyone, the application's own role included, and a trigger refuses them even
 * for a superuser or a role that grants itself the rights back. H2: a trigger refuses UPDATE and
 * DELETE. (Whoever may drop the trigger can still edit rows; the hash chain is what tells.)
 */
public class V5_1__AuditAppendOnly extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
    try (Statement s = c.createStatement()) {
      if (postgres) {
        s.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + "RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP; END $$");
        s.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            + "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()");
        s.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            + "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()");
        s.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC");
        s.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER");
      } else {
        s.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE, DELETE ON audit_log FOR EACH ROW CALL '"
            + io.muster.store.AppendOnlyTrigger.class.getName() + "'");
      }
    }
  }
}
