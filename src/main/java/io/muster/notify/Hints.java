package io.muster.notify;

import io.muster.common.Event;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.NotifyEvent;
import io.muster.store.JournalEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The rows this node queued and committed that its dispatcher has not claimed yet, taken from the
 * {@code notification.queued} events of each commit ({@link Handoff}): the most urgent kinds
 * first, then in the order committed. Only hints: a row is claimed only if the outbox still has it
 * due, and a hint lost or dropped (beyond {@code max}) is found by the dispatcher's poll. Used on
 * the dispatcher's event loop only.
 */
final class Hints {
  private static final String QUEUED = Event.typeOf(NotifyEvent.Queued.class);

  /** A committed row; {@code order}: when this node was told of it. */
  record Hint(int priority, long order, String id) implements Comparable<Hint> {
    @Override
    public int compareTo(Hint o) {
      return priority != o.priority ? Integer.compare(priority, o.priority) : Long.compare(order, o.order);
    }
  }

  private final PriorityQueue<Hint> queue = new PriorityQueue<>();
  private final int max;
  private long order;

  Hints(int max) {
    this.max = max;
  }

  /** Takes the queued notifications from committed events; true if there were any. */
  boolean add(List<JournalEvent> committed) {
    boolean added = false;
    for (JournalEvent event : committed) {
      if (QUEUED.equals(event.type()) && queue.size() < max) {
        queue.add(new Hint(Notification.Kind.of((String) event.payload().get("kind")).priority(), order++,
            (String) event.payload().get("notificationId")));
        added = true;
      }
    }
    return added;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** The {@code count} most urgent, removed. */
  List<Hint> take(int count) {
    List<Hint> taken = new ArrayList<>(Math.min(count, queue.size()));
    while (taken.size() < count && !queue.isEmpty()) {
      taken.add(queue.poll());
    }
    return taken;
  }

  /** Puts hints back that were taken and not looked at; they keep their place. */
  void giveBack(List<Hint> hints) {
    queue.addAll(hints);
  }
}
