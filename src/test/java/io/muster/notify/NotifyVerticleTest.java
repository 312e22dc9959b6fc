package io.muster.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.it.TestFeatures;
import io.muster.store.AsyncDb;
import io.muster.store.Db;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Webhook commands when the database cannot record them. */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class NotifyVerticleTest {

  @Test
  @DisplayName("a delivery status that cannot be recorded (database down) fails with 503, for the provider to retry")
  void statusWithTheDatabaseDownIs503(Vertx vertx, VertxTestContext test, @TempDir Path dir) {
    Db db = Db.open("jdbc:h2:file:" + dir.resolve("muster"), "sa", "", 2);
    Inbox inbox = TestFeatures.on(db).inbox();
    db.close();   // the database is gone
    JsonObject receipt = new JsonObject().put("n", "some-notification").put("MessageSid", "SM1")
        .put("MessageStatus", "delivered");
    vertx.deployVerticle(new NotifyVerticle(inbox, new AsyncDb(vertx, db, 2)))
        .compose(id -> vertx.eventBus().request(NotifyAddresses.STATUS, receipt))
        .onComplete(test.failing(t -> test.verify(() -> {
          assertThat(t).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) t).failureCode()).isEqualTo(503);
          test.completeNow();
        })));
  }
}
