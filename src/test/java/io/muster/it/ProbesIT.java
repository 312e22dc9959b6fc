package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an operator and an integrator read from a running node besides incidents. */
@Timeout(60)
class ProbesIT {
  private static TestDatabase db;
  private static TestNodes nodes;
  private static String base;

  @BeforeAll
  static void start() {
    db = TestDatabase.h2();
    nodes = new TestNodes(db);
    Muster node = nodes.start();
    base = TestNodes.baseUrl(node);
  }

  @AfterAll
  static void stop() {
    nodes.close();
    db.close();
  }

  @Test
  @DisplayName("liveness and readiness probes answer UP, readiness with its database check")
  void probes() {
    assertThat(Http.get(base + "/health/live").json().getString("status")).isEqualTo("UP");
    JsonObject ready = Http.get(base + "/health/ready").json();
    assertThat(ready.getString("status")).isEqualTo("UP");
    assertThat(ready.getJsonObject("checks").getString("database")).isEqualTo("UP");
  }

  @Test
  @DisplayName("Prometheus metrics include the HTTP server's request counts")
  void metrics() {
    Http.get(base + "/health/live");
    Http.Response metrics = Http.get(base + "/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("# TYPE").contains("vertx_http_server_requests_total");
  }

  @Test
  @DisplayName("the roster and the playbooks are listed by the API")
  void rosterAndPlaybooks() {
    JsonArray staff = Http.get(base + "/api/v1/staff").json().getJsonArray("staff");
    assertThat(staff).hasSize(11);
    JsonObject priya = staff.stream().map(JsonObject.class::cast)
        .filter(s -> "priya-raman".equals(s.getString("id"))).findFirst().orElseThrow();
    assertThat(priya.getString("phone")).isEqualTo("+16175550103");
    assertThat(priya.getJsonArray("roles").getList()).containsExactly("ed-charge-nurse");
    assertThat(priya.getString("sms")).as("no opt-out or failure recorded for her number").isEqualTo("ok");
    assertThat(Http.get(base + "/api/v1/facilities").json().getJsonArray("facilities")).hasSize(2);
    JsonArray playbooks = Http.get(base + "/api/v1/playbooks").json().getJsonArray("playbooks");
    assertThat(playbooks.stream().map(p -> ((JsonObject) p).getString("id"))).contains("mass-casualty", "ehr-downtime");
    JsonObject mci = Http.get(base + "/api/v1/playbooks/mass-casualty").json();
    assertThat(mci.getString("severity")).isEqualTo("critical");
    assertThat(Http.get(base + "/api/v1/playbooks/no-such").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("the dashboard is served by the node itself")
  void dashboard() {
    Http.Response page = Http.get(base + "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Muster");
    assertThat(Http.get(base + "/js/live.js").body()).contains("/ws/live");
    assertThat(Http.get(base + "/webjars/uplot/1.6.30/dist/uPlot.esm.js").status()).isEqualTo(200);
  }
}
