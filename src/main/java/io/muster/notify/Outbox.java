package io.muster.notify;

import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.NotifyEvent;
import io.muster.notify.domain.SendPace;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox side of notifications: claiming due rows with a lease (so that across the cluster
 * one node sends each row), giving each send its slot of the cluster-wide budget, and recording
 * what the sends did. Blocking.
 *
 * <p>A batch of rows costs one transaction to claim (with its send slots, when paced) and one to
 * record as sent: a claim is trusted without asking the database again for half its lease, which
 * leaves the other half between the last look and any takeover by another node.
 */
public final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  /** Queued and due: served by the index on (status, priority, next_attempt_at). */
  private static final String QUEUED_DUE = "status = 'queued' AND next_attempt_at <= ?";
  /** Claimed by a sender whose lease ran out: served by the index on (status, lease_until). */
  private static final String LEASE_EXPIRED = "status = 'sending' AND lease_until < ?";
  private static final String DUE = "((" + QUEUED_DUE + ") OR (" + LEASE_EXPIRED + "))";
  /** The row is still held by this claim: this node's lease, from this take ({@code attempts}). */
  private static final String OURS = "status = 'sending' AND lease_owner = ? AND attempts = ?";
  /** Whether the provider may already have the row's message (see {@link Claim}). */
  private static final String UNCERTAIN = "CASE WHEN status = 'sending' OR (first_claimed_at IS NOT NULL"
      + " AND NOT attempt_refused) THEN TRUE ELSE FALSE END";
  /** A row as it is before its claim, with what the claim needs to know of it. */
  private static final String CANDIDATE = "SELECT " + NotificationSql.COLUMNS + ", priority, next_attempt_at, "
      + UNCERTAIN + ", EXISTS (SELECT 1 FROM phone_status p WHERE p.phone = notification.phone"
      + " AND p.status = 'opted-out') FROM notification";

  private final Db db;
  private final Clock clock;
  private final String node;
  private final Duration lease;
  private final SendPace pace;
  private final DeliveryFailures failures;

  /**
   * {@code messagesPerSecond}: the cluster-wide send budget; 0 sends as fast as the provider
   * takes them (see {@link SendPace}).
   */
  public Outbox(Db db, Clock clock, String node, Duration lease, double messagesPerSecond,
                DeliveryFailures failures) {
    this.failures = failures;
    this.db = db;
    this.clock = clock;
    this.node = node;
    this.lease = lease;
    this.pace = SendPace.of(messagesPerSecond, lease);
  }

  /**
   * A claimed row. {@code uncertain}: the provider may already have the message, so look before
   * sending. That is so for any row claimed before whose last attempt did not end in a recorded,
   * definite refusal: its sender died or its answer never came, or a crash undid what was recorded
   * after the claim. Whatever state such a row is found in, it is never sent blind.
   * {@code optedOut}: the person is on Muster's opt-out list (STOP) and the message is not exempt.
   * {@code trustedUntil}: until then the claim is surely still this node's; after it, ask the
   * database ({@link #stillOurs}) before sending. {@code sendAt}: the send's slot of the budget,
   * null when there is no budget or the row has no slot yet.
   */
  public record Claim(Notification notification, boolean uncertain, boolean optedOut, Instant trustedUntil,
                      Instant sendAt) {
    Claim withTurn(Instant slot, Instant trusted) {
      return new Claim(notification, uncertain, optedOut, trusted, slot);
    }
  }

  /**
   * What one claim brought. {@code considered}: how many of the candidates offered were looked at
   * (the rest were held back by the budget, see {@code budgetRoomIn}); {@code budgetRoomIn}: when
   * the budget's horizon held rows back, how soon it may take more; else null. {@code recorded}:
   * the events of the accepted messages recorded in the same transaction.
   */
  public record Batch(List<Claim> claims, int considered, Duration budgetRoomIn, List<JournalEvent> recorded) { }

  /** A message the provider accepted, as {@code sid}, to record. */
  public record Accepted(Notification notification, String sid) { }

  /** Whether sends wait for slots of a budget. */
  public boolean paced() {
    return pace.paced();
  }

  /** Claims up to {@code limit} due rows for this node, most urgent first. */
  public List<Claim> claim(int limit) {
    return claimDue(limit, List.of()).claims();
  }

  /**
   * As {@link #claim(int)}, and records {@code accepted} (see {@link #sent(List)}) in the same
   * transaction: a batch of messages costs one commit, not two.
   */
  public Batch claimDue(int limit, List<Accepted> accepted) {
    return claimWith(limit, (c, now, room) -> due(c, now, room), accepted);
  }

  /**
   * Claims these rows (in this order; committed rows this node was told of) as far as they are still
   * due: another node may have claimed some first, and those are simply not claimed here. Records
   * {@code accepted} in the same transaction.
   */
  public Batch claimHinted(List<String> ids, List<Accepted> accepted) {
    return claimWith(ids.size(), (c, now, room) -> hinted(c, now, ids.subList(0, room)), accepted);
  }

  /**
   * Claims these rows (in this order; rows the caller's transaction just queued) for this node
   * inside that transaction, as far as they are due: their claims hold once it commits, with no
   * transaction of their own. Only without a budget: a paced claim takes the budget's lock, which
   * no business transaction should hold.
   */
  public List<Claim> claimCommitting(Connection c, List<String> ids) throws SQLException {
    if (pace.paced()) {
      throw new IllegalStateException("paced rows are claimed with their send slots, in a claim of their own");
    }
    Instant now = clock.instant();
    return claims(take(c, hinted(c, now, ids), now), now);
  }

  @FunctionalInterface
  private interface Candidates {
    List<Candidate> find(Connection c, Instant now, int room) throws SQLException;
  }

  /** A row that may be claimed, as read before its claim; {@code optedOut}: its number is on the opt-out list. */
  private record Candidate(Notification row, int priority, Instant due, boolean uncertain, boolean optedOut) {
    String id() {
      return row.id();
    }

    /** The row as the claim leaves it (see {@link #take}). */
    Notification claimed(Instant now) {
      Notification n = row;
      return new Notification(n.id(), n.incidentId(), n.staffId(), n.staffName(), n.phone(), n.kind(), n.body(),
          n.requiresAck(), DeliveryStatus.SENDING, n.providerSid(), n.errorCode(), n.attempts() + 1, n.createdAt(),
          n.sentAt(), n.statusAt(), n.ackedAt(), n.firstClaimedAt() == null ? now : n.firstClaimedAt(), n.stepId(),
          n.level());
    }
  }

  /**
   * One transaction: the budget's lock first (when paced), then the rows, then what was accepted
   * (the journal's lock last). Rows that need a slot (neither uncertain nor opted out) get theirs
   * here; the others take a turn once it is known that they are to be sent.
   */
  private Batch claimWith(int limit, Candidates candidates, List<Accepted> accepted) {
    return db.tx(c -> {
      Instant now = clock.instant();
      long nowMicros = micros(now);
      long first = pace.paced() ? pace.first(nextSlot(c), nowMicros) : 0;
      int room = pace.paced() ? pace.fits(first, nowMicros, limit) : limit;
      Duration roomIn = Duration.of(pace.roomInMicros(first, nowMicros) + pace.slotMicros(), ChronoUnit.MICROS);
      if (room == 0) {
        return new Batch(List.of(), 0, roomIn, accepted.isEmpty() ? List.of() : recordSent(c, accepted));
      }
      List<Candidate> found = candidates.find(c, now, room);
      boolean heldBack = room < limit && found.size() == room;
      List<Claim> claims = claims(take(c, found, now), now);
      long next = first;
      for (int i = 0; i < claims.size() && pace.paced(); i++) {
        Claim claim = claims.get(i);
        if (!claim.uncertain() && !claim.optedOut()) {
          claims.set(i, claim.withTurn(instant(next), claim.trustedUntil()));
          next += pace.slotMicros();
        }
      }
      if (next != first) {
        setNextSlot(c, next);
      }
      return new Batch(claims, room, heldBack ? roomIn : null, accepted.isEmpty() ? List.of() : recordSent(c, accepted));
    });
  }

  /**
   * Blocking: whether this claim may be sent now. When paced, waits for its slot (taking one if it
   * has none, or another if it woke too late for its own). Then the claim must still be this
   * node's: trusted within {@link Claim#trustedUntil}, else asked of the database. False: the row
   * was taken over by another claim, or the sender was interrupted; do not send it from here.
   */
  public boolean awaitTurn(Claim claim) {
    Claim turn = claim;
    while (pace.paced()) {
      if (turn.sendAt() == null) {
        Optional<Claim> next = turn(turn);
        if (next.isEmpty()) {
          return false;
        }
        turn = next.get();
      }
      if (!sleepUntil(turn.sendAt())) {
        return false;
      }
      if (!pace.late(micros(turn.sendAt()), micros(clock.instant()))) {
        break;
      }
      LOG.debug("notification {} woke too late for its slot; it takes another", claim.notification().id());
      turn = turn.withTurn(null, turn.trustedUntil());
    }
    return clock.instant().isBefore(turn.trustedUntil()) || stillOurs(turn.notification());
  }

  /**
   * Renews this claim's lease on a row just before its send; false if the claim was lost, in which
   * case it must not be sent from here. A claim is this node's <em>and</em> this take of the row:
   * {@code attempts}, which every take increments, is its token. Comparing the owner alone is not
   * enough: a sender that stood still past its lease (a paused process, a long stall) would find
   * the row taken again by its own node, which may already have sent it, and send it a second time.
   */
  public boolean stillOurs(Notification n) {
    return db.tx(c -> renew(c, n, clock.instant()));
  }

  /** The provider accepted the message. A status that already moved further stays. */
  public List<JournalEvent> sent(Notification n, String sid) {
    return sent(List.of(new Accepted(n, sid)));
  }

  /**
   * The provider accepted these messages: recorded in one transaction. Should that fail (a SID
   * another row already holds, say), each is recorded on its own, so one cannot hold the others
   * back; one that still fails stays claimed and is looked up, not resent, once its lease runs out.
   */
  public List<JournalEvent> sent(List<Accepted> accepted) {
    if (accepted.size() > 1) {
      try {
        return db.tx(c -> recordSent(c, accepted));
      } catch (RuntimeException e) {
        LOG.warn("recording {} sent messages together failed ({}); recording each on its own", accepted.size(),
            e.toString());
      }
    }
    List<JournalEvent> events = new ArrayList<>();
    for (Accepted one : accepted) {
      try {
        events.addAll(db.tx(c -> recordSent(c, List.of(one))));
      } catch (RuntimeException e) {
        if (accepted.size() == 1) {
          throw e;
        }
        LOG.warn("notification {} accepted as {} not recorded: {}", one.notification().id(), one.sid(), e.toString());
      }
    }
    return events;
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

  /** An event about the SMS path itself (degraded, recovered), for coordinators. */
  public List<JournalEvent> systemEvent(NotifyEvent event) {
    return db.tx(c -> Journal.append(c, clock.instant(), List.of(new NewEvent(event, null, "dispatcher:" + node))));
  }

  /**
   * A slot for a claim that has none (it was looked up first, or woke too late for its own), with
   * its lease renewed in the same transaction; empty if the claim was lost. The budget's lock is
   * taken before the row's, as in every claim.
   */
  private Optional<Claim> turn(Claim claim) {
    return db.tx(c -> {
      Instant now = clock.instant();
      long slot = pace.first(nextSlot(c), micros(now));
      if (!renew(c, claim.notification(), now)) {
        return Optional.<Claim>empty();
      }
      setNextSlot(c, slot + pace.slotMicros());
      return Optional.of(claim.withTurn(instant(slot), trustedUntil(now)));
    });
  }

  private boolean renew(Connection c, Notification n, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET lease_until = ? WHERE id = ?"
        + " AND " + OURS)) {
      ps.setObject(1, Db.ts(now.plus(lease)));
      ps.setString(2, n.id());
      ps.setString(3, node);
      ps.setInt(4, n.attempts());
      return ps.executeUpdate() == 1;
    }
  }

  private List<JournalEvent> recordSent(Connection c, List<Accepted> accepted) throws SQLException {
    Instant now = clock.instant();
    List<NewEvent> events = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET provider_sid = ?, sent_at = ?,"
        + " status = CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END,"
        + " status_at = CASE WHEN status IN ('queued', 'sending') THEN ? ELSE status_at END,"
        + " lease_owner = NULL, lease_until = NULL WHERE id = ?")) {
      for (Accepted a : accepted) {
        Notification n = a.notification();
        ps.setString(1, a.sid());
        ps.setObject(2, Db.ts(now));
        ps.setObject(3, Db.ts(now));
        ps.setString(4, n.id());
        ps.addBatch();
        events.add(new NewEvent(new NotifyEvent.Sent(n.id(), n.staffId(), n.staffName(), n.kind().id(),
            DeliveryStatus.SENT.id()), n.incidentId(), "dispatcher"));
      }
      ps.executeBatch();
    }
    return Journal.append(c, now, events);
  }

  /**
   * Due rows, most urgent first: two queries that each an index serves, instead of one whose OR
   * none can. On PostgreSQL rows another node is claiming are skipped.
   */
  private List<Candidate> due(Connection c, Instant now, int limit) throws SQLException {
    String locking = " LIMIT ?" + (db.postgres() ? " FOR UPDATE SKIP LOCKED" : "");
    List<Candidate> due = new ArrayList<>(candidates(c, CANDIDATE + " WHERE " + LEASE_EXPIRED
        + " ORDER BY priority, next_attempt_at" + locking, now, limit));
    // "status" in the order changes nothing (it is one value here), but it lets H2 read the rows in
    // the index's order and stop at the limit, instead of sorting every queued row.
    due.addAll(candidates(c, CANDIDATE + " WHERE " + QUEUED_DUE + " ORDER BY status, priority, next_attempt_at" + locking,
        now, limit));
    due.sort(Comparator.comparingInt(Candidate::priority).thenComparing(Candidate::due));
    return due.subList(0, Math.min(limit, due.size()));
  }

  private List<Candidate> candidates(Connection c, String sql, Instant now, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, Db.ts(now));
      ps.setInt(2, limit);
      return read(ps);
    }
  }

  /** Those of these rows that are due, in the order given. */
  private List<Candidate> hinted(Connection c, Instant now, List<String> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(CANDIDATE + " WHERE id IN (" + marks(ids.size()) + ") AND " + DUE
        + (db.postgres() ? " FOR UPDATE SKIP LOCKED" : ""))) {
      int i = 1;
      for (String id : ids) {
        ps.setString(i++, id);
      }
      ps.setObject(i++, Db.ts(now));
      ps.setObject(i, Db.ts(now));
      Map<String, Candidate> found = new HashMap<>();
      read(ps).forEach(candidate -> found.put(candidate.id(), candidate));
      return ids.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
    }
  }

  private static List<Candidate> read(PreparedStatement ps) throws SQLException {
    List<Candidate> found = new ArrayList<>();
    int extra = NotificationSql.COLUMN_COUNT;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(new Candidate(NotificationSql.read(rs), rs.getInt(extra + 1), Db.instant(rs.getObject(extra + 2)),
            rs.getBoolean(extra + 3), rs.getBoolean(extra + 4)));
      }
    }
    return found;
  }

  /**
   * Compare-and-set, one statement per row in one batch: a row is ours only if it is still due, and
   * still the take it was read as ({@code attempts}), when we write the lease; so the row as read,
   * with what the claim changed, is the row as claimed. Returns the candidates taken.
   */
  private List<Candidate> take(Connection c, List<Candidate> candidates, Instant now) throws SQLException {
    List<Candidate> taken = new ArrayList<>(candidates.size());
    if (candidates.isEmpty()) {
      return taken;
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET status = 'sending', lease_owner = ?,"
        + " lease_until = ?, attempts = attempts + 1, first_claimed_at = COALESCE(first_claimed_at, ?),"
        + " attempt_refused = FALSE WHERE id = ? AND attempts = ? AND " + DUE)) {
      for (Candidate candidate : candidates) {
        ps.setString(1, node);
        ps.setObject(2, Db.ts(now.plus(lease)));
        ps.setObject(3, Db.ts(now));
        ps.setString(4, candidate.id());
        ps.setInt(5, candidate.row().attempts());
        ps.setObject(6, Db.ts(now));
        ps.setObject(7, Db.ts(now));
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] == Statement.SUCCESS_NO_INFO) {
          throw new IllegalStateException("the database did not say which rows were claimed");
        }
        if (counts[i] == 1) {
          taken.add(candidates.get(i));
        }
      }
    }
    return taken;
  }

  /** The claims of the rows taken. Information messages and calls go out even to a number that opted out. */
  private List<Claim> claims(List<Candidate> taken, Instant now) {
    List<Claim> claims = new ArrayList<>(taken.size());
    for (Candidate candidate : taken) {
      Notification n = candidate.claimed(now);
      boolean exempt = n.kind() == Notification.Kind.INFO || n.kind() == Notification.Kind.VOICE;
      claims.add(new Claim(n, candidate.uncertain(), !exempt && candidate.optedOut(), trustedUntil(now), null));
    }
    return claims;
  }

  private Instant trustedUntil(Instant now) {
    return now.plus(lease.dividedBy(2));
  }

  /** The budget's next free slot, locked for the rest of the transaction. */
  private static long nextSlot(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT next_at FROM sms_pacer WHERE id = 1 FOR UPDATE");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void setNextSlot(Connection c, long next) throws SQLException {
    Db.update(c, "UPDATE sms_pacer SET next_at = ? WHERE id = 1", next);
  }

  /** Blocking: sleeps until {@code at} by this outbox's clock; false if interrupted. */
  private boolean sleepUntil(Instant at) {
    long waitMicros = micros(at) - micros(clock.instant());
    if (waitMicros <= 0) {
      return true;
    }
    try {
      Thread.sleep(waitMicros / 1000, (int) (waitMicros % 1000) * 1000);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String marks(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000);
  }
}
