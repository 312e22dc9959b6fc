package io.muster.bench;

import io.muster.it.TestDatabase;
import io.muster.notify.domain.NotifyEvent;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.NewEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The journal's write path on PostgreSQL, without HTTP: writer threads, each committing
 * transactions that append three events (what a one-page trigger appends), as fast as they can
 * for {@code bench.seconds}; first through one connection pool (one node), then through two (two
 * nodes on one database). Prints transactions per second and the commit latency p50/p99: how
 * much the journal's ordering costs when many writers share it.
 * Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.JournalBenchmark}
 * (optional {@code -Dbench.seconds=10 -Dbench.writers=8}, writers per node).
 */
public final class JournalBenchmark {
  private JournalBenchmark() {
  }

  public static void main(String[] args) {
    try {
      int seconds = Integer.getInteger("bench.seconds", 10);
      int writers = Integer.getInteger("bench.writers", 8);
      for (int nodes : new int[] {1, 2}) {
        try (TestDatabase db = TestDatabase.postgres()) {
          run(db, nodes, writers, 2, "warm-up");
          run(db, nodes, writers, seconds, nodes + (nodes == 1 ? " node " : " nodes"));
        }
      }
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(TestDatabase database, int nodes, int writers, int seconds, String label) throws Exception {
    List<Db> pools = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      pools.add(Db.open(database.url, database.user, "", writers));
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<List<Long>> latencies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (Db pool : pools) {
      for (int w = 0; w < writers; w++) {
        List<Long> mine = new ArrayList<>();
        latencies.add(mine);
        Thread t = new Thread(() -> {
          while (!stop.get()) {
            long start = System.nanoTime();
            pool.tx(c -> Journal.append(c, Instant.now(), List.of(
                new NewEvent(new NotifyEvent.Degraded("bench", "one"), null, "bench"),
                new NewEvent(new NotifyEvent.Degraded("bench", "two"), null, "bench"),
                new NewEvent(new NotifyEvent.Recovered("bench", "three"), null, "bench"))));
            mine.add(System.nanoTime() - start);
          }
        });
        threads.add(t);
        t.start();
      }
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    pools.forEach(Db::close);
    List<Long> all = new ArrayList<>();
    latencies.forEach(all::addAll);
    Collections.sort(all);
    if (!label.equals("warm-up")) {
      System.out.printf("journal, %s, %d writers each: %.0f transactions/s, commit p50 %.1f ms, p99 %.1f ms%n", label,
          writers, all.size() / (double) seconds, all.get(all.size() / 2) / 1e6, all.get(all.size() * 99 / 100) / 1e6);
    }
  }
}
