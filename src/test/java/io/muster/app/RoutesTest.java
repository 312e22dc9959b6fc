package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP router as a node builds it: every route is an operation of the contract (behind the gate)
 * or one of the routes declared public in {@link HttpVerticle#PUBLIC}; nothing else is reachable.
 */
class RoutesTest {
  private static Vertx vertx;
  private static Router router;
  private static OpenAPIContract contract;

  @BeforeAll
  static void build() {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, "openapi.yaml").await();
    MusterConfig config = MusterConfig.of(new JsonObject());
    ApiGuard guard = new ApiGuard(null, null, null, null, null, null, new ClientAddress(List.of()));
    HttpVerticle.Guarded guarded = new HttpVerticle.Guarded(guard,
        new SecurityApi(null, null, null, null, null, null, new JsonObject()), null, null, null, null);
    HttpVerticle http = new HttpVerticle(config, contract, null, null, Map.of(), null,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "token", guarded);
    http.init(vertx, vertx.getOrCreateContext());
    router = http.router();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("every operation of openapi.yaml has exactly one route, with its method and path")
  void operations() {
    List<String> routed = new ArrayList<>();
    for (Route r : router.getRoutes()) {
      Operation op = r.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION);
      if (op != null) {
        assertThat(r.methods()).containsExactly(op.getHttpMethod());
        routed.add(op.getOperationId());
      }
    }
    assertThat(routed).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(contract.operations().stream().map(Operation::getOperationId).toList());
  }

  @Test
  @DisplayName("every other route is declared public, in order, between the API's catch-all and the final 404")
  void everythingElseIsDeclared() {
    List<Route> routes = router.getRoutes();
    List<Route> others = routes.stream().filter(r -> r.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION) == null).toList();
    // First the root handlers (security headers, body) on every path, then the operations.
    assertThat(routes.get(0).getPath()).isNull();
    assertThat(routes.get(0).methods()).isNull();
    List<String> declared = HttpVerticle.PUBLIC.stream().map(p -> p.method() + " " + p.path()).toList();
    List<String> found = new ArrayList<>();
    for (Route r : others.subList(1, others.size())) {
      String path = r.getPath() == null ? null : r.getPath() + (r.isExactPath() ? "" : "*");
      Set<HttpMethod> methods = r.methods();
      found.add((methods == null ? "ANY" : methods.stream().map(HttpMethod::name).collect(Collectors.joining(","))) + " " + path);
    }
    List<String> expected = new ArrayList<>();
    expected.add("ANY /api/*");
    expected.addAll(declared);
    expected.add("ANY null");
    expected.add("ANY null");
    assertThat(found).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("public routes say what protects them instead of a sign-in, and none is under /api/")
  void publicRoutesAreExplained() {
    for (HttpVerticle.PublicRoute p : HttpVerticle.PUBLIC) {
      assertThat(p.protection()).isNotBlank();
      assertThat(p.path()).doesNotStartWith("/api/");
    }
  }
}
