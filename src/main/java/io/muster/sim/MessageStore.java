package io.muster.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The simulator's messages, in memory, oldest first. Read by the event loop and by test and
 * benchmark threads, hence one lock; every operation is short and never blocks on I/O.
 */
final class MessageStore {

  private final Map<String, SimMessage> bySid = new LinkedHashMap<>();
  private int created;
  private int attempts;

  /** A create request arrived, whatever becomes of it. */
  synchronized void countAttempt() {
    attempts++;
  }

  synchronized int attemptCount() {
    return attempts;
  }

  synchronized void addCreated(SimMessage message) {
    bySid.put(message.sid(), message);
    created++;
  }

  synchronized void addReply(SimMessage message) {
    bySid.put(message.sid(), message);
  }

  synchronized Optional<SimMessage> get(String sid) {
    return Optional.ofNullable(bySid.get(sid));
  }

  synchronized Optional<SimMessage> update(String sid, UnaryOperator<SimMessage> change) {
    return Optional.ofNullable(bySid.computeIfPresent(sid, (key, message) -> change.apply(message)));
  }

  synchronized List<SimMessage> matching(Predicate<SimMessage> filter) {
    List<SimMessage> result = new ArrayList<>();
    for (SimMessage message : bySid.values()) {
      if (filter.test(message)) {
        result.add(message);
      }
    }
    return result;
  }

  /** Messages created through the API (replies not included). */
  synchronized int createdCount() {
    return created;
  }

  synchronized void clear() {
    bySid.clear();
    created = 0;
    attempts = 0;
  }
}
