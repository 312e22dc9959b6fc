package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.app.MusterConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node's start, whose steps run side by side: what it makes, and what a failed start leaves behind. */
class StartIT {
  private TestNodes nodes;

  @BeforeEach
  void setUp() {
    nodes = TestNodes.on("h2");
  }

  @AfterEach
  void tearDown() {
    nodes.close();
  }

  @Test
  @DisplayName("a first start with no administrator password configured makes one up, and it signs in;"
      + " a second start on the same database makes none")
  void firstAdministrator() {
    JsonObject noPassword = new JsonObject().put("security", new JsonObject().put("adminPassword", (String) null));
    Muster first = Muster.start(MusterConfig.of(nodes.config(0).mergeIn(noPassword, true))).await();
    try {
      assertThat(first.firstAdminPassword()).isNotBlank();
      assertThat(TestNodes.login(first, "admin", first.firstAdminPassword())).isNotBlank();
    } finally {
      first.stop().await();
    }

    Muster second = Muster.start(MusterConfig.of(nodes.config(0).mergeIn(noPassword, true))).await();
    try {
      assertThat(second.firstAdminPassword()).isNull();
      assertThat(nodes.db().count("SELECT COUNT(*) FROM app_user")).isEqualTo(1);
    } finally {
      second.stop().await();
    }
  }

  @Test
  @DisplayName("a start that fails in one step (an unreadable roster) says why, and leaves no database pool open")
  void failedStartClosesTheDatabase() {
    JsonObject badRoster = new JsonObject().put("files", new JsonObject().put("roster", "src/test/resources/it/no-such-roster.yaml"));

    Throwable failure = Muster.start(MusterConfig.of(nodes.config(0).mergeIn(badRoster, true)))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();

    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("no-such-roster.yaml");
    eventually("no database pool left open", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("muster-db")));
  }
}
