package io.muster.notify;

import io.muster.common.Event;
import io.muster.notify.domain.NotifyEvent;
import io.muster.store.Db;
import io.muster.store.JournalEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands the pages a transaction queues to this node's dispatcher, which then sends them with no
 * transaction of its own in between. Just before the commit of each transaction that appended
 * journal events ({@link Db#onCommit}), the rows it queued are claimed for this node in that same
 * transaction, as many as the dispatcher has room for; once it committed, those claims reach the
 * dispatcher in memory and go out at once, and the rest of the queued rows reach it as hints
 * ({@link Hints}). Commit before send holds: a claim is only sent after the commit that made it.
 * Should this node die first, the claims' leases run out and another node takes the rows over,
 * looking each up at the provider before sending (see {@link Outbox.Claim#uncertain}).
 *
 * <p>Rows are claimed here only while the dispatcher runs, its circuit breaker is closed and sends
 * are not paced; otherwise they stay queued for the dispatcher's own claims.
 */
public final class Handoff implements Db.Committing {
  private static final String QUEUED = Event.typeOf(NotifyEvent.Queued.class);

  /** This node's dispatcher, as the hand-off sees it. */
  interface Receiver {
    /** Takes room for up to {@code wanted} claims (from any thread); how many it took, 0 when it takes none now. */
    int reserve(int wanted);

    /** Gives back room taken for claims that did not come to be (their transaction failed). */
    void release(int count);

    /** After the commit, on the committing thread: the claims room was taken for, and the committed events. */
    void committed(List<Outbox.Claim> claims, List<JournalEvent> events);
  }

  private final Outbox outbox;
  private volatile Receiver receiver;

  public Handoff(Outbox outbox) {
    this.outbox = outbox;
  }

  void attach(Receiver dispatcher) {
    receiver = dispatcher;
  }

  void detach() {
    receiver = null;
  }

  @Override
  public Db.Outcome committing(Connection c, List<JournalEvent> appended) throws SQLException {
    Receiver to = receiver;
    if (to == null) {
      return null;   // no dispatcher yet (or any more): its first poll finds the rows
    }
    List<String> queued = new ArrayList<>();
    for (JournalEvent e : appended) {
      if (QUEUED.equals(e.type())) {
        queued.add((String) e.payload().get("notificationId"));
      }
    }
    if (queued.isEmpty()) {
      return null;
    }
    int room = outbox.paced() ? 0 : to.reserve(queued.size());
    List<Outbox.Claim> claims = List.of();
    if (room > 0) {
      try {
        claims = outbox.claimCommitting(c, queued.subList(0, room));
      } catch (SQLException | RuntimeException e) {
        to.release(room);
        throw e;
      }
      to.release(room - claims.size());
    }
    Set<String> claimed = new HashSet<>();
    claims.forEach(claim -> claimed.add(claim.notification().id()));
    List<JournalEvent> hints = new ArrayList<>(appended.size());
    for (JournalEvent e : appended) {
      if (!QUEUED.equals(e.type()) || !claimed.contains((String) e.payload().get("notificationId"))) {
        hints.add(e);
      }
    }
    List<Outbox.Claim> handed = claims;
    return new Db.Outcome() {
      @Override
      public void committed() {
        to.committed(handed, hints);
      }

      @Override
      public void failed() {
        to.release(handed.size());
      }
    };
  }
}
