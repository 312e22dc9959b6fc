package io.muster.notify;

import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.NotifyEvent;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbox side of notifications: claiming due rows with a lease (so that across the cluster
 * one node sends each row), and recording what the send did. Blocking.
 */
public final class Outbox {
  private static final String DUE = "((status = 'queued' AND next_attempt_at <= ?)"
      + " OR (status = 'sending' AND lease_until < ?))";
  /** The row is still held by this claim: this node's lease, from this take ({@code attempts}). */
  private static final String OURS = "status = 'sending' AND lease_owner = ? AND attempts = ?";

  private final Db db;
  private final Clock clock;
  private final String node;
  private final Duration lease;
  private final long slotMicros;
  private final DeliveryFailures failures;

  /**
   * {@code messagesPerSecond}: the cluster-wide send budget; 0 sends as fast as the provider
   * takes them. Turns are spaced 10% wider than the budget, so that the jitter between a turn and
   * the provider's receipt of the message does not push a one-second window over it.
   */
  public Outbox(Db db, Clock clock, String node, Duration lease, double messagesPerSecond,
                DeliveryFailures failures) {
    this.failures = failures;
    this.db = db;
    this.clock = clock;
    this.node = node;
    this.lease = lease;
    this.slotMicros = messagesPerSecond <= 0 ? 0 : (long) Math.ceil(1_100_000 / messagesPerSecond);
  }

  /**
   * A claimed row. {@code uncertain}: the provider may already have the message, so look before
   * sending. That is so for any row claimed before whose last attempt did not end in a recorded,
   * definite refusal: its sender died or its answer never came, or a crash undid what was recorded
   * after the claim. Whatever state such a row is found in, it is never sent blind.
   */
  public record Claim(Notification notification, boolean uncertain) { }

  /** Claims up to {@code limit} due rows for this node, most urgent first. */
  public List<Claim> claim(int limit) {
    return db.tx(c -> {
      Instant now = clock.instant();
      List<Claim> claims = new ArrayList<>();
      for (Map.Entry<String, Boolean> due : due(c, now, limit).entrySet()) {
        if (take(c, due.getKey(), now)) {
          claims.add(new Claim(NotificationSql.byId(c, due.getKey()).orElseThrow(), due.getValue()));
        }
      }
      return claims;
    });
  }

  /**
   * Blocking: waits for this message's turn on the cluster-wide pacer. The slot is reserved just
   * before the send (not at claim time), so a sender that was slow to get here takes a later slot
   * instead of sending late in a burst with the others.
   */
  public void awaitTurn() {
    if (slotMicros == 0) {
      return;
    }
    long slot = db.tx(c -> {
      Instant now = clock.instant();
      long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
      long first;
      try (PreparedStatement ps = c.prepareStatement("SELECT next_at FROM sms_pacer WHERE id = 1 FOR UPDATE");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        first = Math.max(rs.getLong(1), nowMicros);
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE sms_pacer SET next_at = ? WHERE id = 1")) {
        ps.setLong(1, first + slotMicros);
        ps.executeUpdate();
      }
      return first;
    });
    Instant now = clock.instant();
    long waitMicros = slot - (now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
    if (waitMicros > 0) {
      try {
        Thread.sleep(waitMicros / 1000, (int) (waitMicros % 1000) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many rows fit in about a second of the budget (all of {@code max} without pacing). */
  public int perSecond(int max) {
    return slotMicros == 0 ? max : (int) Math.max(1, Math.min(max, 1_000_000 / slotMicros));
  }

  /**
   * Renews this claim's lease on a row just before its send; false if the claim was lost, in which
   * case it must not be sent from here. A claim is this node's <em>and</em> this take of the row:
   * {@code attempts}, which every take increments, is its token. Comparing the owner alone is not
   * enough: a sender that stood still past its lease (a paused process, a long stall) would find
   * the row taken again by its own node, which may already have sent it, and send it a second time.
   */
  public boolean stillOurs(Notification n) {
    return db.tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET lease_until = ? WHERE id = ?"
          + " AND " + OURS)) {
        ps.setObject(1, Db.ts(clock.instant().plus(lease)));
        ps.setString(2, n.id());
        ps.setString(3, node);
        ps.setInt(4, n.attempts());
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** The provider accepted the message. A status that already moved further stays. */
  public List<JournalEvent> sent(Notification n, String sid) {
    return db.tx(c -> {
      Instant now = clock.instant();
      try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET provider_sid = ?, sent_at = ?,"
          + " status = CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END,"
          + " status_at = CASE WHEN status IN ('queued', 'sending') THEN ? ELSE status_at END,"
          + " lease_owner = NULL, lease_until = NULL WHERE id = ?")) {
        ps.setString(1, sid);
        ps.setObject(2, Db.ts(now));
        ps.setObject(3, Db.ts(now));
        ps.setString(4, n.id());
        ps.executeUpdate();
      }
      return Journal.append(c, now, List.of(new NewEvent(new NotifyEvent.Sent(n.id(), n.staffId(), n.staffName(),
          n.kind().id(), DeliveryStatus.SENT.id()), n.incidentId(), "dispatcher")));
    });
  }

  /**
   * The first of {@code sids} (provider SIDs, in the order of preference) that no other row has
   * recorded: the one an uncertain row can take as its own.
   */
  public Optional<String> unrecorded(Notification n, List<String> sids) {
    if (sids.isEmpty()) {
      return Optional.empty();
    }
    return db.tx(c -> {
      for (String sid : sids) {
        if (!NotificationSql.sidRecordedByOther(c, sid, n.id())) {
          return Optional.of(sid);
        }
      }
      return Optional.<String>empty();
    });
  }

  /**
   * Try again after {@code delay}. {@code uncertain}: look the message up before that try; else the
   * provider refused this attempt, and the row says so, so the next try need not look.
   */
  public void retryLater(Notification n, Duration delay, boolean uncertain, Integer errorCode) {
    db.tx(c -> {
      Instant at = clock.instant().plus(delay);
      // Only this claim's own row: a claim that outlived its lease must not requeue (and mark as
      // surely refused) a row that another claim has taken and may be sending.
      String sql = uncertain
          ? "UPDATE notification SET lease_until = ?, error_code = ? WHERE id = ? AND " + OURS
          : "UPDATE notification SET status = 'queued', next_attempt_at = ?, error_code = ?, lease_owner = NULL,"
            + " lease_until = NULL, attempt_refused = TRUE WHERE id = ? AND " + OURS;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setObject(1, Db.ts(at));
        ps.setObject(2, errorCode, Types.INTEGER);
        ps.setString(3, n.id());
        ps.setString(4, node);
        ps.setInt(5, n.attempts());
        return ps.executeUpdate();
      }
    });
  }

  /** The message will not be sent: recorded as failed, with the reason, for coordinators to see. */
  public List<JournalEvent> failed(Notification n, Integer errorCode, String reason) {
    return db.tx(c -> {
      Instant now = clock.instant();
      Notification current = NotificationSql.byId(c, n.id()).orElseThrow();
      if (!current.status().canMoveTo(DeliveryStatus.FAILED)
          || !NotificationSql.moveStatus(c, current, DeliveryStatus.FAILED, errorCode, now)) {
        return List.of();
      }
      List<NewEvent> events = new ArrayList<>();
      events.add(new NewEvent(new NotifyEvent.Failed(n.id(), n.staffId(), n.staffName(), n.kind().id(),
          DeliveryStatus.FAILED.id(), errorCode, reason), n.incidentId(), "dispatcher"));
      events.addAll(failures.route(c, current, errorCode, now));
      return Journal.append(c, now, events);
    });
  }

  /** Whether the number is on Muster's opt-out list (the person texted STOP). */
  public boolean optedOut(String phone) {
    return db.tx(c -> DeliveryFailures.phoneStatus(c, phone).filter("opted-out"::equals).isPresent());
  }

  /** An event about the SMS path itself (degraded, recovered), for coordinators. */
  public List<JournalEvent> systemEvent(NotifyEvent event) {
    return db.tx(c -> Journal.append(c, clock.instant(), List.of(new NewEvent(event, null, "dispatcher:" + node))));
  }

  /**
   * Candidate ids, each with whether the provider may already have its message (see {@link Claim}).
   * On PostgreSQL rows another node is claiming are skipped.
   */
  private Map<String, Boolean> due(Connection c, Instant now, int limit) throws SQLException {
    String sql = "SELECT id, CASE WHEN status = 'sending' OR (first_claimed_at IS NOT NULL AND NOT attempt_refused)"
        + " THEN TRUE ELSE FALSE END FROM notification WHERE " + DUE + " ORDER BY priority, next_attempt_at, id LIMIT ?"
        + (db.postgres() ? " FOR UPDATE SKIP LOCKED" : "");
    Map<String, Boolean> due = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, Db.ts(now));
      ps.setObject(2, Db.ts(now));
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          due.put(rs.getString(1), rs.getBoolean(2));
        }
      }
    }
    return due;
  }

  /** Compare-and-set: the row is ours only if it is still due when we write the lease. */
  private boolean take(Connection c, String id, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET status = 'sending', lease_owner = ?,"
        + " lease_until = ?, attempts = attempts + 1, first_claimed_at = COALESCE(first_claimed_at, ?),"
        + " attempt_refused = FALSE"
        + " WHERE id = ? AND " + DUE)) {
      ps.setString(1, node);
      ps.setObject(2, Db.ts(now.plus(lease)));
      ps.setObject(3, Db.ts(now));
      ps.setString(4, id);
      ps.setObject(5, Db.ts(now));
      ps.setObject(6, Db.ts(now));
      return ps.executeUpdate() == 1;
    }
  }

}
