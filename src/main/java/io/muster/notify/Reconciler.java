package io.muster.notify;

import io.muster.notify.domain.Notification;
import io.muster.store.Db;
import io.muster.store.JournalEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery receipts that never came. A status callback can go to a node that died, or arrive while
 * the database is down; the row then stays {@code sent}. Rows left {@code sent} longer than
 * {@code after} are claimed here (one node asks about a row at a time, on any database) and the
 * provider is asked what became of them; what it says is recorded as the status webhook records it,
 * once and only forward. A row the provider still calls sent is asked about again after as long
 * as it has waited (at least {@code after}, at most an hour), for a day. Blocking.
 */
public final class Reconciler {
  /** The default age after which a message without a receipt is looked up. */
  public static final Duration DEFAULT_AFTER = Duration.ofSeconds(120);
  private static final Duration LONGEST_WAIT = Duration.ofHours(1);
  private static final Duration GIVE_UP = Duration.ofDays(1);
  private static final String DUE = "status = 'sent' AND provider_sid IS NOT NULL AND status_at <= ? AND status_at > ?"
      + " AND (reconcile_at IS NULL OR reconcile_at <= ?)";

  private final Db db;
  private final Clock clock;
  private final Duration after;
  private final Inbox inbox;

  public Reconciler(Db db, Clock clock, Duration after, Inbox inbox) {
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("after: must be positive");
    }
    this.db = db;
    this.clock = clock;
    this.after = after;
    this.inbox = inbox;
  }

  /** How often a node looks for rows to ask about: a quarter of the age, between 250 ms and 30 s. */
  public Duration every() {
    Duration quarter = after.dividedBy(4);
    Duration floor = Duration.ofMillis(250);
    Duration ceiling = Duration.ofSeconds(30);
    return quarter.compareTo(floor) < 0 ? floor : quarter.compareTo(ceiling) > 0 ? ceiling : quarter;
  }

  /**
   * Claims up to {@code limit} rows to ask about, oldest first: each claim moves the row's
   * {@code reconcile_at} on (compare-and-set), so no other node asks about it meanwhile.
   */
  public List<Notification> claim(int limit) {
    return db.tx(c -> {
      Instant now = clock.instant();
      List<Notification> claimed = new ArrayList<>();
      for (String id : due(c, now, limit)) {
        Notification n = NotificationSql.byId(c, id).orElseThrow();
        if (take(c, n, now)) {
          claimed.add(n);
        }
      }
      return claimed;
    });
  }

  /** Records what the provider said of a claimed row, as its status callback would have. */
  public List<JournalEvent> record(Notification n, ProviderStatus said) {
    return inbox.status(n.id(), n.providerSid(), said.status(), said.errorCode(), true);
  }

  /** After as long as the row has waited since it was sent, at least {@code after}, at most an hour. */
  Duration nextAsk(Notification n, Instant now) {
    Duration waited = Duration.between(n.statusAt(), now);
    Duration wait = waited.compareTo(after) < 0 ? after : waited;
    return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
  }

  private List<String> due(Connection c, Instant now, int limit) throws SQLException {
    String sql = "SELECT id FROM notification WHERE " + DUE + " ORDER BY status_at, id LIMIT ?"
        + (db.postgres() ? " FOR UPDATE SKIP LOCKED" : "");
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindDue(ps, 1, now);
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  private boolean take(Connection c, Notification n, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET reconcile_at = ? WHERE id = ? AND " + DUE)) {
      ps.setObject(1, Db.ts(now.plus(nextAsk(n, now))));
      ps.setString(2, n.id());
      bindDue(ps, 3, now);
      return ps.executeUpdate() == 1;
    }
  }

  private void bindDue(PreparedStatement ps, int first, Instant now) throws SQLException {
    ps.setObject(first, Db.ts(now.minus(after)));
    ps.setObject(first + 1, Db.ts(now.minus(GIVE_UP)));
    ps.setObject(first + 2, Db.ts(now));
  }
}
