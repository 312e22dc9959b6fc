package io.muster.notify;

import io.muster.store.JournalEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A dispatcher stand-in for tests of {@link Handoff}: room for so many claims, and what it was handed. */
public final class HandoffProbe implements Handoff.Receiver {
  private final Handoff handoff;
  private final AtomicInteger room;
  private final List<Outbox.Claim> claims = new ArrayList<>();
  private final List<JournalEvent> events = new ArrayList<>();

  private HandoffProbe(Handoff handoff, int room) {
    this.handoff = handoff;
    this.room = new AtomicInteger(room);
  }

  /** Attached to {@code handoff}, with room for {@code room} claims. */
  public static HandoffProbe attached(Handoff handoff, int room) {
    HandoffProbe probe = new HandoffProbe(handoff, room);
    handoff.attach(probe);
    return probe;
  }

  public Handoff handoff() {
    return handoff;
  }

  @Override
  public int reserve(int wanted) {
    int taken = Math.min(wanted, room.get());
    room.addAndGet(-taken);
    return taken;
  }

  @Override
  public void release(int count) {
    room.addAndGet(count);
  }

  @Override
  public synchronized void committed(List<Outbox.Claim> handed, List<JournalEvent> committed) {
    claims.addAll(handed);
    events.addAll(committed);
  }

  public synchronized List<Outbox.Claim> claims() {
    return List.copyOf(claims);
  }

  public synchronized List<JournalEvent> events() {
    return List.copyOf(events);
  }

  public int room() {
    return room.get();
  }
}
