package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.it.TcpProxy;
import io.muster.it.TestDatabase;
import io.muster.store.AsyncDb;
import io.muster.store.Db;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Part of the fault suite: while the database is out of reach, an audit checkpoint waits for a
 * connection (up to the pool's 5 s timeout), and the audit flush, which runs on the event loop every
 * 200 ms, must not wait with it. Found by FaultClusterIT's database cut: a node's event loop stood
 * blocked for over 4 s, until the checkpoint gave up.
 */
@Timeout(60)
class AuditCheckpointStallIT {
  private TestDatabase database;
  private TcpProxy proxy;
  private Db db;
  private Vertx vertx;
  private Path dir;

  @AfterEach
  void tearDown() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (database != null) {
      database.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("an audit checkpoint waiting on an unreachable database does not hold up the flush on the event loop")
  void checkpointWaitingForTheDatabaseDoesNotBlockTheFlush() throws Exception {
    database = TestDatabase.postgres();
    proxy = TcpProxy.start("127.0.0.1", 5432);
    db = Db.open(database.url.replace("127.0.0.1:5432/", "127.0.0.1:" + proxy.port() + "/"), database.user, "", 2);
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("muster-checkpoint-stall-");
    AuditTrail audit = new AuditTrail(new AsyncDb(vertx, db, 4), Clock.systemUTC(), AuditKey.of("stall-test-key-" + java.util.UUID.randomUUID()),
        "node-a", new Checkpoints(dir.resolve("checkpoints.log")));
    audit.open();

    proxy.cut();
    // The connections the pool holds are dead now; once it has found that out, a checkpoint waits for a new one.
    while (true) {
      try {
        db.tx(c -> c.createStatement().execute("SELECT 1"));
      } catch (io.muster.store.StoreException e) {
        if (String.valueOf(e.getMessage()).contains("Connection is not available")) {
          break;
        }
      }
    }
    Thread checkpoint = new Thread(() -> {
      try {
        audit.checkpoint(true);
      } catch (RuntimeException expected) {
        // the database is out of reach: this checkpoint fails, later ones are taken
      }
    }, "checkpoint-under-test");
    checkpoint.start();
    Awaitility.await("the checkpoint waits for a connection from the pool").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5)).until(() -> waitingForAConnection(checkpoint));

    audit.flush();   // as the event loop's timer calls it
    // Had flush waited for the checkpoint, it would have returned only once the checkpoint gave up.
    assertThat(waitingForAConnection(checkpoint)).as("the checkpoint was still waiting when flush returned").isTrue();
    proxy.restore();
    checkpoint.join(30_000);
  }

  private static boolean waitingForAConnection(Thread t) {
    return Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getClassName().contains("HikariPool")
        && e.getMethodName().equals("getConnection"));
  }
}
