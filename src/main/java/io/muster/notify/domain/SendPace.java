package io.muster.notify.domain;

import java.time.Duration;

/**
 * The cluster-wide SMS budget as one timeline of send slots, in microseconds since the epoch.
 * Nodes lease slots from that timeline (the database keeps its next free slot), each slot once, so
 * all nodes together never send faster than the budget, and a node that dies only leaves its slots
 * unused. A slot is kept only when its send starts on time: a sender that wakes later than
 * {@link #lateMicros} after its slot takes another, rather than sending in a burst with the next.
 *
 * <p>Slots are spaced {@link #SLACK} wider than the budget: the provider counts a message when it
 * arrives, and the time between a send's start and its arrival varies (the network, a pause of
 * the sending process). Spaced exactly at the budget, two messages that arrive closer together
 * than they were sent would put a one-second window over it; this way the arrivals may vary by up
 * to 25 ms, the lateness allowed included. No Vert.x here.
 *
 * @param slotMicros   the time between two slots; 0: no budget, send as fast as the provider takes them
 * @param horizonMicros how far ahead of now slots may be leased, across the cluster: a third of a
 *                      claim's lease, so that a claimed row's slot comes while its lease is still
 *                      surely its own, and a node that dies leaves at most this much budget unused
 * @param lateMicros   how late after its slot a send may still start
 */
public record SendPace(long slotMicros, long horizonMicros, long lateMicros) {
  /** How much wider than the budget the slots are spaced. */
  public static final double SLACK = 0.025;
  /** How late a send may start: part of the slack. */
  public static final long LATE_MICROS = 10_000;
  /** The first slot a claim leases is at least this far ahead, the time to hand the row to its sender. */
  public static final long LEAD_MICROS = 5_000;

  public SendPace {
    if (slotMicros < 0 || horizonMicros < 0 || lateMicros < 0) {
      throw new IllegalArgumentException("slotMicros, horizonMicros, lateMicros: must not be negative");
    }
  }

  /** {@code messagesPerSecond}: the whole cluster's budget, 0 for none; {@code lease}: how long a claim holds a row. */
  public static SendPace of(double messagesPerSecond, Duration lease) {
    if (messagesPerSecond < 0) {
      throw new IllegalArgumentException("messagesPerSecond: must be 0 or more");
    }
    long slot = messagesPerSecond == 0 ? 0 : (long) Math.ceil(1_000_000 * (1 + SLACK) / messagesPerSecond);
    return new SendPace(slot, Math.max(lease.toNanos() / 3_000, LEAD_MICROS), LATE_MICROS);
  }

  public boolean paced() {
    return slotMicros > 0;
  }

  /** The first slot a lease made at {@code now} gets, when {@code nextFree} is the timeline's next free slot. */
  public long first(long nextFree, long now) {
    return Math.max(nextFree, now + LEAD_MICROS);
  }

  /** How many slots, from {@code first} on, start within the horizon of {@code now}; at most {@code wanted}. */
  public int fits(long first, long now, int wanted) {
    long room = now + horizonMicros - first;
    return room < 0 ? 0 : (int) Math.min(wanted, room / slotMicros + 1);
  }

  /** How long until a slot leased now would start within the horizon again (0 if one does now). */
  public long roomInMicros(long first, long now) {
    return Math.max(0, first - now - horizonMicros);
  }

  /** Whether a send at {@code now} is too late for the slot at {@code slot}. */
  public boolean late(long slot, long now) {
    return now - slot > lateMicros;
  }
}
