package io.muster.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A durable reader of the journal for one purpose: a named cursor row, locked while the events
 * after it are handled and moved in the same transaction, so that across the cluster each event is
 * handled once, and none is skipped (sequences become visible in order). What the handling appends
 * is committed with the move. Blocking.
 */
public final class JournalCursor {
  /** Handles one event inside the cursor's transaction; returns the events it makes. */
  @FunctionalInterface
  public interface Handler {
    List<NewEvent> handle(Connection c, JournalEvent event) throws SQLException;
  }

  private static final int BATCH = 200;

  private final Db db;
  private final Clock clock;
  private final String name;
  private final Set<String> types;

  /** {@code name}: the cursor's row (made by a migration); {@code types}: the event types it handles. */
  public JournalCursor(Db db, Clock clock, String name, Set<String> types) {
    this.db = db;
    this.clock = clock;
    this.name = name;
    this.types = Set.copyOf(types);
  }

  /** Handles what is new (a batch at most); returns the events appended, to publish after the commit. */
  public List<JournalEvent> poll(Handler handler) {
    return db.tx(c -> {
      long after = lock(c);
      long head = Journal.head(c);
      if (head <= after) {
        return List.of();
      }
      List<JournalEvent> read = Journal.ofTypes(c, after, head, types, BATCH);
      List<NewEvent> made = new ArrayList<>();
      for (JournalEvent e : read) {
        made.addAll(handler.handle(c, e));
      }
      Db.update(c, "UPDATE journal_cursor SET seq = ? WHERE name = ?",
          read.size() == BATCH ? read.get(read.size() - 1).seq() : head, name);
      return made.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, clock.instant(), made);
    });
  }

  private long lock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal_cursor WHERE name = ? FOR UPDATE")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no journal cursor named " + name);
        }
        return rs.getLong(1);
      }
    }
  }
}
