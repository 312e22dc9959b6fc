package io.muster.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** The simulator's calls, in memory, oldest first; one lock, as {@link MessageStore}. */
final class CallStore {

  private final Map<String, SimCall> bySid = new LinkedHashMap<>();

  synchronized void add(SimCall call) {
    bySid.put(call.sid(), call);
  }

  synchronized Optional<SimCall> get(String sid) {
    return Optional.ofNullable(bySid.get(sid));
  }

  synchronized Optional<SimCall> update(String sid, UnaryOperator<SimCall> change) {
    return Optional.ofNullable(bySid.computeIfPresent(sid, (key, call) -> change.apply(call)));
  }

  /** Applies {@code change} only if the call is in {@code condition}; empty if it is gone or not. */
  synchronized Optional<SimCall> updateIf(String sid, Predicate<SimCall> condition, UnaryOperator<SimCall> change) {
    SimCall call = bySid.get(sid);
    if (call == null || !condition.test(call)) {
      return Optional.empty();
    }
    SimCall changed = change.apply(call);
    bySid.put(sid, changed);
    return Optional.of(changed);
  }

  synchronized List<SimCall> matching(Predicate<SimCall> filter) {
    List<SimCall> result = new ArrayList<>();
    for (SimCall call : bySid.values()) {
      if (filter.test(call)) {
        result.add(call);
      }
    }
    return result;
  }

  synchronized void clear() {
    bySid.clear();
  }
}
