package io.muster.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JDBC path to H2 (embedded default) and PostgreSQL (production, clusters): a connection
 * pool, Flyway migrations at open, and transactions. Every call blocks; callers run it off the
 * event loop ({@link AsyncDb}).
 */
public final class Db implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Db.class);

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Work added to every transaction that appended journal events, just before its commit ({@link #onCommit}). */
  @FunctionalInterface
  public interface Committing {
    /**
     * In the transaction, with the events it appended (sequence {@link Journal#PROVISIONAL});
     * returns what to do once the commit succeeded or failed, or null for nothing.
     */
    Outcome committing(Connection c, List<JournalEvent> appended) throws SQLException;
  }

  /** What a {@link Committing} does after the commit, on the committing thread. */
  public interface Outcome {
    void committed();

    /** The transaction did not commit: what was done in it is undone. */
    void failed();
  }

  /** PostgreSQL: how long a session may sit idle inside a transaction before the server ends it. */
  static final int IDLE_IN_TRANSACTION_MS = 5_000;

  /** The journal events the transaction running on this thread appended (see {@link Journal#append}). */
  private static final ThreadLocal<List<JournalEvent>> APPENDED = new ThreadLocal<>();

  private final HikariDataSource dataSource;
  private final boolean postgres;
  private final Sequencer sequencer = new Sequencer(this);
  private volatile Committing committing = (c, events) -> null;

  private Db(HikariDataSource dataSource, boolean postgres) {
    this.dataSource = dataSource;
    this.postgres = postgres;
  }

  /** Opens the pool and brings the schema up to date, as {@code user}. */
  public static Db open(String url, String user, String password, int poolSize) {
    return open(url, user, password, poolSize, null, null);
  }

  /**
   * Opens the pool as the runtime role {@code user}. With {@code ownerUser} set, the migrations run
   * as that schema owner instead, and then grant the runtime role what it uses, no more (no UPDATE,
   * DELETE or TRUNCATE on the audit log; see {@link RuntimeRoleGrants}).
   */
  public static Db open(String configuredUrl, String user, String password, int poolSize, String ownerUser,
                        String ownerPassword) {
    String url = H2Durability.url(configuredUrl);
    DataDirectory.beforeOpen(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    // Well inside a command's 15 s answer timeout: when the database is down, work fails (and its
    // caller hears 503) instead of waiting 30 s for a connection and committing after its caller
    // has been told it failed.
    config.setConnectionTimeout(5_000);
    config.setAutoCommit(false);
    config.setPoolName("muster-db");
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    boolean postgres = url.startsWith("jdbc:postgresql:");
    if (postgres) {
      // A transaction whose node stopped in the middle of it (paused, cut off, stuck) must not hold
      // its row locks for as long as it stands still: the journal head and the SMS pacer are rows
      // every node locks, so one frozen node would stall the whole cluster. PostgreSQL ends such a
      // session after this long idle inside its transaction; its work rolls back, the others go on.
      config.addDataSourceProperty("options", "-c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_MS);
    }
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      FluentConfiguration flyway = Migrations.listed(Flyway.configure());
      if (ownerUser != null && !ownerUser.isBlank() && !ownerUser.equals(user)) {
        flyway.dataSource(url, ownerUser, ownerPassword == null ? "" : ownerPassword)
            .placeholders(Map.of(RuntimeRoleGrants.PLACEHOLDER, RuntimeRoleGrants.checked(user)))
            .callbacks(new RuntimeRoleGrants());
      } else {
        flyway.dataSource(dataSource);
      }
      flyway.load().migrate();
      if (postgres) {
        warnWhenRuntimeRoleCanChangeAudit(dataSource, user);
      }
      DataDirectory.afterOpen(url);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new Db(dataSource, postgres);
  }

  /**
   * PostgreSQL: one WARN when the role Muster runs as owns the audit log (or is a superuser), so it
   * could grant itself UPDATE or disable the trigger that refuses it.
   */
  private static void warnWhenRuntimeRoleCanChangeAudit(HikariDataSource dataSource, String user) {
    try (Connection c = dataSource.getConnection();
         java.sql.PreparedStatement ps = c.prepareStatement("SELECT r.rolsuper OR pg_has_role(current_user, t.tableowner,"
             + " 'USAGE') FROM pg_tables t, pg_roles r WHERE t.tablename = 'audit_log'"
             + " AND t.schemaname = current_schema() AND r.rolname = current_user");
         java.sql.ResultSet rs = ps.executeQuery()) {
      if (rs.next() && rs.getBoolean(1)) {
        LOG.warn("the database role '{}' that Muster runs as owns the schema (or is a superuser), so it could lift the"
            + " audit log's guards: run the migrations as a separate owner (MUSTER_DB_OWNER_USER,"
            + " MUSTER_DB_OWNER_PASSWORD) and let Muster connect as a role of its own (MUSTER_DB_USER), which is then"
            + " granted only SELECT and INSERT on audit_log; see README.md, Security", user);
      }
      c.rollback();
    } catch (SQLException e) {
      LOG.warn("could not check whether the database role '{}' owns the audit log: {}", user, e.getMessage());
    }
  }

  public boolean postgres() {
    return postgres;
  }

  /**
   * Runs the work in one transaction: committed if it returns, rolled back if it throws. When it
   * appended journal events, the {@link #onCommit} work joins it before the commit, and the events
   * are numbered before this returns (see {@link Journal}): on PostgreSQL by a pass after the
   * commit, which the writers of a node share; on H2, which only ever has one node, in the
   * transaction itself, so a write costs one commit, not two.
   */
  public <T> T tx(Work<T> work) {
    List<JournalEvent> outer = APPENDED.get();
    List<JournalEvent> appended = new ArrayList<>();
    APPENDED.set(appended);
    T result;
    Outcome outcome = null;
    try (Connection connection = dataSource.getConnection()) {
      try {
        result = work.run(connection);
        if (!appended.isEmpty()) {
          outcome = committing.committing(connection, appended);
        }
        if (!appended.isEmpty() && !postgres) {
          sequencer.commitNumbered(connection);
        } else {
          connection.commit();
        }
        Outcome committed = outcome;
        outcome = null;   // committed: nothing to undo, whatever happens next
        if (committed != null) {
          committed.committed();
        }
      } catch (SQLException | RuntimeException e) {
        if (outcome != null) {
          outcome.failed();
        }
        // A rollback on a connection the failure already broke fails too: the failure is what matters.
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    } finally {
      APPENDED.set(outer);
    }
    if (!appended.isEmpty() && postgres) {
      sequencer.flush();
    }
    return result;
  }

  /** Has what is committed numbered now (journal events a writer that died left provisional). */
  public void sequence() {
    sequencer.flush();
  }

  /**
   * Work that joins every transaction that appended journal events, just before its commit: this
   * node's dispatcher claims the pages the transaction queued ({@code notify.Handoff}). A failure
   * in it fails the transaction.
   */
  public void onCommit(Committing work) {
    committing = work;
  }

  /**
   * Who hears of journal events once numbered, in order, each batch once (this node's live
   * stream). Called on the thread that numbered them.
   */
  public void onNumbered(Consumer<List<JournalEvent>> listener) {
    sequencer.listener(listener);
  }

  /** Notes the journal events the running transaction appended. */
  static void appended(List<JournalEvent> events) {
    List<JournalEvent> appended = APPENDED.get();
    if (appended != null) {
      appended.addAll(events);
    }
  }

  /** True when the database is reachable (for the readiness probe). */
  public boolean ping() {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Runs one statement with positional arguments; returns the row count. */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** Whether the query (positional arguments) finds a row. */
  public static boolean exists(Connection c, String sql, Object... args) throws SQLException {
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** SQLState 23505, the same on H2 and PostgreSQL. */
  public static boolean uniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  public static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  public static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof Timestamp t) {
      return t.toInstant();
    }
    throw new IllegalStateException("not a timestamp: " + value.getClass());
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
