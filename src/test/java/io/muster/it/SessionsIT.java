package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sign-ins that end: a password change, a lower role, other facilities, a disable, a removal, a
 * password reset and a sign-out each end the user's earlier tokens and live streams, on the node
 * that made the change at once and on every other node within a second (waited for here, never
 * timed: {@code SessionsTest} checks the second exactly). User administration keeps an enabled
 * administrator, refuses bad requests without changing anything, and is audited with the user's name;
 * verifying the audit log while other commands are audited does not report a broken chain.
 *
 * <p>On H2 the environment is one node; on PostgreSQL it is two clustered nodes sharing the database,
 * and every change made on node A is checked on node B as well. Each test has users of its own.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsIT {
  /** How long another node may take to see a change: the promise is one second; a loaded machine gets slack. */
  private static final Duration FEW_SECONDS = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ADMIN = "user:" + TestNodes.ADMIN_USER;

  private final Map<String, Env> envs = new HashMap<>();
  private final AtomicInteger names = new AtomicInteger();
  private final AtomicInteger sentinel = new AtomicInteger();

  /** Node A makes the changes; node B is another node of the cluster (the same node on H2). */
  record Env(String kind, TestNodes nodes, Muster a, Muster b) {
    String baseA() {
      return TestNodes.baseUrl(a);
    }

    String baseB() {
      return TestNodes.baseUrl(b);
    }

    List<String> bases() {
      return a == b ? List.of(baseA()) : List.of(baseA(), baseB());
    }

    TestDatabase db() {
      return nodes.db();
    }
  }

  record User(String id, String name, String password) {
    String actor() {
      return "user:" + name;
    }
  }

  /** What ends a user's sign-in. */
  enum Change { ROLE_LOWERED, FACILITIES_CHANGED, DISABLED, REMOVED, SIGNED_OUT }

  @AfterAll
  void tearDown() {
    envs.values().forEach(env -> env.nodes().close());
  }

  private Env env(String kind) {
    Env env = envs.get(kind);
    if (env == null) {
      TestNodes nodes = TestNodes.on(kind);
      try {
        if ("postgres".equals(kind)) {
          List<Muster> cluster = nodes.startCluster(2);
          env = new Env(kind, nodes, cluster.get(0), cluster.get(1));
        } else {
          Muster node = nodes.start();
          env = new Env(kind, nodes, node, node);
        }
      } catch (RuntimeException | Error e) {
        nodes.close();
        throw e;
      }
      envs.put(kind, env);
    }
    return env;
  }

  static Stream<Arguments> changes() {
    return Stream.of("h2", "postgres").flatMap(kind -> Stream.of(Change.values()).map(c -> Arguments.of(kind, c)));
  }

  // ---- a password change

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a password change ends every earlier token on every node (refresh too); its answer carries a fresh token that works")
  void passwordChangeEndsEarlierTokens(String kind) {
    Env env = env(kind);
    User u = user(env, "pat", "commander", "general");
    String onA = token(env.baseA(), u);
    String onB = token(env.baseB(), u);
    for (String base : env.bases()) {
      assertThat(me(base, onA).status()).isEqualTo(200);
      assertThat(me(base, onB).status()).isEqualTo(200);
    }

    String newPassword = "new-password-of-" + u.name();
    Http.Response changed = as(onA, post(env.baseA() + "/api/v1/auth/password",
        new JsonObject().put("currentPassword", u.password()).put("newPassword", newPassword).encode()));
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    String fresh = changed.json().getString("accessToken");
    assertThat(fresh).isNotBlank().isNotEqualTo(onA).isNotEqualTo(onB);
    assertThat(changed.json().getString("tokenType")).isEqualTo("Bearer");
    assertThat(changed.json().getJsonObject("user").getString("username")).isEqualTo(u.name());
    assertThat(changed.json().getJsonObject("user").getBoolean("mustChangePassword")).isFalse();

    Http.Response refused = me(env.baseA(), onA);
    assertError(refused, 401, "unauthorized");
    assertThat(refused.json().getJsonObject("error").getString("message")).contains("sign in again");
    assertThat(me(env.baseA(), onB).status()).as("a token issued by the other node, on the node that changed").isEqualTo(401);
    endedEverywhere(env, onA);
    endedEverywhere(env, onB);
    for (String base : env.bases()) {
      assertError(refresh(base, onA), 401, "unauthorized");
      assertError(refresh(base, onB), 401, "unauthorized");
      assertThat(me(base, fresh).status()).as("the fresh token at %s", base).isEqualTo(200);
    }
    Http.Response refreshed = refresh(env.baseB(), fresh);
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    assertThat(me(env.baseA(), refreshed.json().getString("accessToken")).status()).isEqualTo(200);

    assertThat(signIn(env.baseB(), u.name(), u.password()).status()).isEqualTo(401);
    assertThat(signIn(env.baseB(), u.name(), newPassword).status()).isEqualTo(200);
    JsonObject row = single(audited(env, 1, "action = 'changePassword' AND target = ?", u.actor()));
    assertThat(row.getString("ACTOR")).isEqualTo(u.actor());
    assertThat(row.getString("OUTCOME")).isEqualTo("200");
    assertThat(row.getString("DETAIL")).contains("password changed");
  }

  // ---- role, facilities, disable, remove, sign-out

  @ParameterizedTest(name = "on {0}: {1}")
  @MethodSource("changes")
  @DisplayName("lowering a role, changing facilities, disabling, removing and signing out each end the user's tokens on every node")
  void changeEndsTokens(String kind, Change change) {
    Env env = env(kind);
    User u = user(env, change.name().toLowerCase().replace('_', '-'), "commander", "general");
    String onA = token(env.baseA(), u);
    String onB = token(env.baseB(), u);
    for (String base : env.bases()) {
      assertThat(me(base, onA).status()).isEqualTo(200);
      assertThat(me(base, onB).status()).isEqualTo(200);
    }

    Http.Response answer = apply(env, change, u, onA);
    assertThat(answer.status()).as(answer.body()).isEqualTo(change == Change.REMOVED || change == Change.SIGNED_OUT ? 204 : 200);

    Http.Response refused = me(env.baseA(), onA);
    assertError(refused, 401, "unauthorized");
    assertThat(refused.json().getJsonObject("error").getString("message")).contains(
        change == Change.DISABLED || change == Change.REMOVED ? "no longer exists or is disabled" : "sign-in has ended");
    endedEverywhere(env, onA);
    endedEverywhere(env, onB);
    for (String base : env.bases()) {
      assertError(refresh(base, onA), 401, "unauthorized");
    }
    afterwards(env, change, u, List.of(onA, onB));
    JsonObject row = single(audited(env, 1, "action = ? AND target = ?", action(change), u.actor()));
    assertThat(row.getString("ACTOR")).isEqualTo(change == Change.SIGNED_OUT ? u.actor() : ADMIN);
    assertThat(row.getString("OUTCOME")).isEqualTo(String.valueOf(answer.status()));
    assertThat(row.getString("DETAIL")).contains(detail(change));
  }

  private Http.Response apply(Env env, Change change, User u, String userToken) {
    String user = env.baseA() + "/api/v1/users/" + u.id();
    return switch (change) {
      case ROLE_LOWERED -> Http.send(patch(user, "{\"role\":\"viewer\"}"));
      case FACILITIES_CHANGED -> Http.send(patch(user, "{\"facilities\":[\"eastside-clinic\"]}"));
      case DISABLED -> Http.send(post(user + "/disable", ""));
      case REMOVED -> Http.send(delete(user));
      case SIGNED_OUT -> as(userToken, post(env.baseA() + "/api/v1/auth/logout", ""));
    };
  }

  private static String action(Change change) {
    return switch (change) {
      case ROLE_LOWERED, FACILITIES_CHANGED -> "updateUser";
      case DISABLED -> "disableUser";
      case REMOVED -> "removeUser";
      case SIGNED_OUT -> "logout";
    };
  }

  private static String detail(Change change) {
    return switch (change) {
      case ROLE_LOWERED -> "now viewer";
      case FACILITIES_CHANGED -> "of [eastside-clinic]";
      case DISABLED -> "disabled";
      case REMOVED -> "removed";
      case SIGNED_OUT -> "signed out";
    };
  }

  /** What the user finds after the change, on either node. */
  private void afterwards(Env env, Change change, User u, List<String> oldTokens) {
    switch (change) {
      case ROLE_LOWERED -> {
        String now = token(env.baseB(), u);
        assertThat(me(env.baseB(), now).json().getString("role")).isEqualTo("viewer");
        assertError(as(now, post(env.baseA() + "/api/v1/incidents",
            "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"EHR down\"}")), 403, "forbidden");
      }
      case FACILITIES_CHANGED -> {
        String now = token(env.baseB(), u);
        assertThat(me(env.baseB(), now).json().getJsonArray("facilities")).containsExactly("eastside-clinic");
        assertError(as(now, get(env.baseA() + "/api/v1/facilities/general/readiness")), 404, "not_found");
        assertThat(as(now, get(env.baseA() + "/api/v1/facilities/eastside-clinic/readiness")).status()).isEqualTo(200);
      }
      case DISABLED -> {
        Http.Response disabled = signIn(env.baseB(), u.name(), u.password());
        assertError(disabled, 401, "unauthorized");
        assertThat(disabled.body()).as("a disabled user is told what a wrong password is told")
            .isEqualTo(signIn(env.baseB(), "nobody-" + u.name(), u.password()).body());
        assertThat(Http.send(post(env.baseA() + "/api/v1/users/" + u.id() + "/enable", "")).status()).isEqualTo(200);
        String now = token(env.baseB(), u);
        assertThat(me(env.baseA(), now).status()).isEqualTo(200);
        for (String base : env.bases()) {
          for (String old : oldTokens) {
            assertThat(me(base, old).status()).as("enabling does not revive a token ended by the disable").isEqualTo(401);
          }
        }
      }
      case REMOVED -> {
        assertError(signIn(env.baseB(), u.name(), u.password()), 401, "unauthorized");
        assertThat(Http.get(env.baseA() + "/api/v1/users").body()).doesNotContain(u.name());
        assertThat(audited(env, 1, "actor = ? AND action = 'login'", u.actor()))
            .as("the removed user's own sign-in stays in the audit log under their name").isNotEmpty();
        assertThat(env.db().count("SELECT COUNT(*) FROM app_user WHERE username = '" + u.name() + "'")).isZero();
        intact(env.baseA());
      }
      case SIGNED_OUT -> assertThat(me(env.baseB(), token(env.baseB(), u)).status()).isEqualTo(200);
      default -> throw new IllegalStateException();
    }
  }

  // ---- live streams

  @ParameterizedTest(name = "on {0}: {1}")
  @MethodSource("streamEnders")
  @DisplayName("a user's open live streams are closed by the server with 1008 when they sign out or are disabled; others stay open")
  void liveStreamsClosed(String kind, Change change) {
    Env env = env(kind);
    User u = user(env, "wall", "viewer", "*");
    User other = user(env, "desk", "viewer", "*");
    String token = token(env.baseA(), u);
    String otherToken = token(env.baseA(), other);
    try (LiveSocket onA = LiveSocket.streaming(env.a().httpPort(), token);
         LiveSocket onB = LiveSocket.streaming(env.b().httpPort(), token);
         LiveSocket otherOnA = LiveSocket.streaming(env.a().httpPort(), otherToken);
         LiveSocket otherOnB = LiveSocket.streaming(env.b().httpPort(), otherToken)) {
      Http.Response ended = apply(env, change, u, token);
      assertThat(ended.status()).as(ended.body()).isLessThan(300);
      for (LiveSocket s : List.of(onA, onB)) {
        LiveSocket.Closed closed = s.awaitClose(WAIT);
        assertThat(closed.code()).as("closed: %s", closed).isEqualTo(1008);
        assertThat(closed.reason()).contains("sign-in has ended");
      }
      // The other user's streams still carry what happens now.
      int mark = sentinel.incrementAndGet();
      Http.Response bumped = Http.send(patch(env.baseA() + "/api/v1/facilities/general/readiness",
          "{\"supplies\":{\"sessions-it-mark\":" + mark + "}}"));
      assertThat(bumped.status()).as(bumped.body()).isEqualTo(200);
      for (LiveSocket s : List.of(otherOnA, otherOnB)) {
        s.await(m -> "readiness.updated".equals(m.getString("type")) && String.valueOf(mark).equals(
            m.getJsonObject("payload").getJsonObject("changes").getString("supplies.sessions-it-mark")), WAIT);
        assertThat(s.isClosed()).isFalse();
      }
    }
  }

  static Stream<Arguments> streamEnders() {
    return Stream.of("h2", "postgres").flatMap(kind -> Stream.of(Change.SIGNED_OUT, Change.DISABLED)
        .map(c -> Arguments.of(kind, c)));
  }

  // ---- password reset

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("reset password: a temporary password shown once; with it only me, changePassword and logout work until it is changed")
  void resetPassword(String kind) {
    Env env = env(kind);
    User u = user(env, "rosa", "coordinator", "*");
    String before = token(env.baseA(), u);
    assertThat(me(env.baseB(), before).status()).isEqualTo(200);

    Http.Response reset = Http.send(post(env.baseA() + "/api/v1/users/" + u.id() + "/reset-password", ""));
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
    String temporary = reset.json().getString("temporaryPassword");
    assertThat(temporary).hasSizeGreaterThanOrEqualTo(12);
    assertThat(reset.json().getJsonObject("user").getString("username")).isEqualTo(u.name());
    assertThat(Http.get(env.baseA() + "/api/v1/users").body()).doesNotContain(temporary);
    assertThat(env.db().count("SELECT COUNT(*) FROM app_user WHERE password_hash LIKE '%" + temporary + "%'")).isZero();
    assertThat(me(env.baseA(), before).status()).isEqualTo(401);
    endedEverywhere(env, before);
    assertThat(signIn(env.baseA(), u.name(), u.password()).status()).as("the old password").isEqualTo(401);

    Http.Response signedIn = signIn(env.baseB(), u.name(), temporary);
    assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(200);
    assertThat(signedIn.json().getJsonObject("user").getBoolean("mustChangePassword")).isTrue();
    String temp = signedIn.json().getString("accessToken");
    for (String base : env.bases()) {
      Http.Response who = me(base, temp);
      assertThat(who.status()).isEqualTo(200);
      assertThat(who.json().getBoolean("mustChangePassword")).isTrue();
      for (HttpRequest.Builder elsewhere : List.of(get(base + "/api/v1/incidents"), get(base + "/api/v1/facilities"),
          post(base + "/api/v1/auth/refresh", ""), post(base + "/api/v1/auth/ws-ticket", ""),
          patch(base + "/api/v1/facilities/general/readiness", "{\"edStatus\":\"advisory\"}"))) {
        Http.Response refused = as(temp, elsewhere);
        assertError(refused, 403, "forbidden");
        assertThat(refused.json().getJsonObject("error").getString("message")).contains("change your password first");
      }
    }

    String chosen = "chosen-password-of-" + u.name();
    Http.Response changed = as(temp, post(env.baseB() + "/api/v1/auth/password",
        new JsonObject().put("currentPassword", temporary).put("newPassword", chosen).encode()));
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    String now = changed.json().getString("accessToken");
    assertThat(changed.json().getJsonObject("user").getBoolean("mustChangePassword")).isFalse();
    endedEverywhere(env, temp);
    for (String base : env.bases()) {
      assertThat(me(base, now).json().getBoolean("mustChangePassword")).isFalse();
      assertThat(as(now, get(base + "/api/v1/incidents")).status()).isEqualTo(200);
      assertThat(as(now, patch(base + "/api/v1/facilities/general/readiness",
          "{\"supplies\":{\"sessions-it-mark\":" + sentinel.incrementAndGet() + "}}")).status()).isEqualTo(200);
      assertThat(as(now, post(base + "/api/v1/auth/ws-ticket", "")).status()).isEqualTo(200);
      assertError(as(now, post(base + "/api/v1/incidents",
          "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"EHR down\"}")), 403, "forbidden");
    }
    assertThat(signIn(env.baseA(), u.name(), temporary).status()).as("the temporary password is spent").isEqualTo(401);

    // Reset again: the second temporary password differs, and signing out is allowed before changing it.
    Http.Response again = Http.send(post(env.baseA() + "/api/v1/users/" + u.id() + "/reset-password", ""));
    String second = again.json().getString("temporaryPassword");
    assertThat(second).isNotEqualTo(temporary);
    String onlyOut = token(env.baseA(), new User(u.id(), u.name(), second));
    assertThat(as(onlyOut, post(env.baseA() + "/api/v1/auth/logout", "")).status()).isEqualTo(204);
    assertThat(me(env.baseA(), onlyOut).status()).isEqualTo(401);

    JsonObject row = audited(env, 2, "action = 'resetPassword' AND target = ?", u.actor()).get(0);
    assertThat(row.getString("ACTOR")).isEqualTo(ADMIN);
    assertThat(row.getString("DETAIL")).contains("password reset").doesNotContain(temporary);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("resetting the password of a disabled user names the user in the answer and in the audit row")
  void resetOfDisabledUser(String kind) {
    Env env = env(kind);
    User u = user(env, "dora", "viewer", "general");
    assertThat(Http.send(post(env.baseA() + "/api/v1/users/" + u.id() + "/disable", "")).status()).isEqualTo(200);
    Http.Response reset = Http.send(post(env.baseA() + "/api/v1/users/" + u.id() + "/reset-password", ""));
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
    assertThat(reset.json().getString("temporaryPassword")).isNotBlank();
    // The row is found by the user's name or, failing that, by the request path with the user's id.
    List<JsonObject> rows = audited(env, 1, "action = 'resetPassword' AND actor = ? AND (target = ? OR target LIKE ?)",
        ADMIN, u.actor(), "%" + u.id() + "%");
    assertThat(rows).hasSize(1);
    SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(rows.get(0).getString("TARGET")).as("the audit row names the user").isEqualTo(u.actor());
      soft.assertThat(reset.json().getValue("user")).as("the answer names the user: %s", reset.body())
          .isInstanceOf(JsonObject.class);
    });
    assertThat(reset.json().getJsonObject("user").getString("username")).isEqualTo(u.name());
  }

  // ---- the last administrator

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("the last enabled admin cannot be removed, disabled or demoted (409); two admins demote one another one at a time")
  void lastAdmin(String kind) {
    try (TestNodes own = TestNodes.on(kind)) {
      Muster node = own.start();
      String base = TestNodes.baseUrl(node);
      String adminToken = adminToken(node);
      User admin = new User(me(base, adminToken).json().getString("id"), TestNodes.ADMIN_USER, TestNodes.ADMIN_PASSWORD);
      List<JsonObject> users = userRows(own.db());

      for (HttpRequest.Builder lastOne : List.of(patch(base + "/api/v1/users/" + admin.id(), "{\"role\":\"commander\"}"),
          post(base + "/api/v1/users/" + admin.id() + "/disable", ""), delete(base + "/api/v1/users/" + admin.id()))) {
        Http.Response refused = as(adminToken, lastOne);
        assertError(refused, 409, "conflict");
        assertThat(refused.json().getJsonObject("error").getString("message")).contains("last enabled administrator");
      }
      assertThat(userRows(own.db())).as("nothing changed").isEqualTo(users);
      assertThat(me(base, adminToken).json().getString("role")).isEqualTo("admin");

      // A disabled admin is no second admin.
      User dormant = create(base, adminToken, "dormant", "admin", "*");
      assertThat(as(adminToken, post(base + "/api/v1/users/" + dormant.id() + "/disable", "")).status()).isEqualTo(200);
      assertError(as(adminToken, patch(base + "/api/v1/users/" + admin.id(), "{\"role\":\"viewer\"}")), 409, "conflict");

      User second = create(base, adminToken, "second", "admin", "*");
      assertThat(as(adminToken, patch(base + "/api/v1/users/" + second.id(), "{\"role\":\"commander\"}")).status())
          .isEqualTo(200);
      assertThat(as(adminToken, patch(base + "/api/v1/users/" + second.id(), "{\"role\":\"admin\"}")).status())
          .isEqualTo(200);
      String secondToken = TestNodes.login(base, second.name(), second.password());
      assertThat(as(secondToken, patch(base + "/api/v1/users/" + admin.id(), "{\"role\":\"commander\"}")).status())
          .isEqualTo(200);
      assertThat(me(base, adminToken).status()).isEqualTo(401);
      for (HttpRequest.Builder lastOne : List.of(patch(base + "/api/v1/users/" + second.id(), "{\"role\":\"viewer\"}"),
          post(base + "/api/v1/users/" + second.id() + "/disable", ""), delete(base + "/api/v1/users/" + second.id()))) {
        assertError(as(secondToken, lastOne), 409, "conflict");
      }
      assertThat(enabledAdmins(own.db())).isEqualTo(1);
      assertThat(audited(own.db(), base, secondToken, 1, "action = 'updateUser' AND outcome = '409' AND actor = ?",
          second.actor())).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("two admins demoting each other at the same moment: one wins, the other is refused, an enabled admin remains")
  void concurrentDemotions(String kind) throws Exception {
    try (TestNodes own = TestNodes.on(kind)) {
      Muster node = own.start();
      String base = TestNodes.baseUrl(node);
      String adminToken = adminToken(node);
      User first = new User(me(base, adminToken).json().getString("id"), TestNodes.ADMIN_USER, TestNodes.ADMIN_PASSWORD);
      User second = create(base, adminToken, "rival", "admin", "*");
      User holder = first;
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 4; round++) {
          User other = holder == first ? second : first;
          String holderToken = TestNodes.login(base, holder.name(), holder.password());
          Http.Response promoted = as(holderToken, patch(base + "/api/v1/users/" + other.id(), "{\"role\":\"admin\"}"));
          assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
          String otherToken = TestNodes.login(base, other.name(), other.password());
          assertThat(enabledAdmins(own.db())).isEqualTo(2);

          CountDownLatch go = new CountDownLatch(1);
          Future<Http.Response> byHolder = pool.submit(() -> {
            go.await();
            return as(holderToken, patch(base + "/api/v1/users/" + other.id(), "{\"role\":\"viewer\"}"));
          });
          User target = holder;
          Future<Http.Response> byOther = pool.submit(() -> {
            go.await();
            return as(otherToken, patch(base + "/api/v1/users/" + target.id(), "{\"role\":\"viewer\"}"));
          });
          go.countDown();
          int a = byHolder.get(30, TimeUnit.SECONDS).status();
          int b = byOther.get(30, TimeUnit.SECONDS).status();
          assertThat(enabledAdmins(own.db())).as("round %d: answers %d and %d", round, a, b).isEqualTo(1);
          assertThat(List.of(a, b)).as("round %d", round).containsOnlyOnce(200);
          assertThat(a == 200 ? b : a).as("round %d: the loser", round).isIn(401, 409);
          holder = a == 200 ? holder : other;
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---- bad requests

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("bad requests to the user operations (unknown id 404, bad role 400 naming it, empty PATCH 400, non-admin 403) change nothing")
  void badRequestsChangeNothing(String kind) {
    Env env = env(kind);
    User target = user(env, "tess", "coordinator", "general");
    User commander = user(env, "cmdr", "commander", "*");
    String targetToken = token(env.baseA(), target);
    String commanderToken = token(env.baseA(), commander);
    assertThat(me(env.baseB(), targetToken).status()).isEqualTo(200);
    List<JsonObject> before = userRows(env.db());
    String users = env.baseA() + "/api/v1/users/";

    String unknown = "00000000-0000-4000-8000-000000000000";
    for (HttpRequest.Builder r : List.of(patch(users + unknown, "{\"role\":\"viewer\"}"), post(users + unknown + "/disable", ""),
        post(users + unknown + "/enable", ""), post(users + unknown + "/reset-password", ""), delete(users + unknown))) {
      Http.Response missing = Http.send(r);
      assertError(missing, 404, "not_found");
      assertThat(missing.json().getJsonObject("error").getString("field")).isEqualTo("id");
    }
    assertField(Http.send(patch(users + "not-a-user-id", "{\"role\":\"viewer\"}")), "id");
    assertField(Http.send(patch(users + target.id(), "{\"role\":\"king\"}")), "role");
    assertField(Http.send(patch(users + target.id(), "{\"role\":\"viewer\",\"rank\":\"general\"}")), "rank");
    assertField(Http.send(patch(users + target.id(), "{\"facilities\":[\"atlantis\"]}")), "facilities");
    assertField(Http.send(patch(users + target.id(), "{\"facilities\":[]}")), "facilities");
    Http.Response empty = Http.send(patch(users + target.id(), "{}"));
    assertError(empty, 400, "invalid_request");
    Http.Response none = Http.send(HttpRequest.newBuilder(URI.create(users + target.id()))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    assertError(none, 400, "invalid_request");

    for (HttpRequest.Builder r : List.of(patch(users + target.id(), "{\"role\":\"viewer\"}"),
        patch(users + commander.id(), "{\"role\":\"admin\"}"), post(users + target.id() + "/disable", ""),
        post(users + target.id() + "/enable", ""), post(users + target.id() + "/reset-password", ""),
        delete(users + target.id()))) {
      Http.Response forbidden = as(commanderToken, r);
      assertError(forbidden, 403, "forbidden");
      assertThat(forbidden.body()).doesNotContain("temporaryPassword");
    }
    Http.Response wrongCurrent = as(targetToken, post(env.baseA() + "/api/v1/auth/password",
        new JsonObject().put("currentPassword", "not-" + target.password()).put("newPassword", "another-long-password").encode()));
    assertError(wrongCurrent, 403, "forbidden");
    assertThat(wrongCurrent.json().getJsonObject("error").getString("field")).isEqualTo("currentPassword");
    assertField(as(targetToken, post(env.baseA() + "/api/v1/auth/password",
        new JsonObject().put("currentPassword", target.password()).put("newPassword", "short").encode())), "newPassword");

    assertThat(userRows(env.db())).as("no user changed").isEqualTo(before);
    for (String base : env.bases()) {
      assertThat(me(base, targetToken).status()).as("the target's token still works at %s", base).isEqualTo(200);
      assertThat(me(base, commanderToken).json().getString("role")).isEqualTo("commander");
    }
    assertThat(me(env.baseA(), targetToken).json().getString("role")).isEqualTo("coordinator");
  }

  // ---- the audit log

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("every change to a user is audited with the user's name and what changed, and the chain stays intact")
  void everyChangeAudited(String kind) {
    Env env = env(kind);
    User u = user(env, "lia", "viewer", "general");
    String user = env.baseA() + "/api/v1/users/" + u.id();
    List<Http.Response> answers = List.of(
        Http.send(patch(user, "{\"role\":\"commander\"}")),
        Http.send(patch(user, "{\"facilities\":[\"eastside-clinic\"]}")),
        Http.send(patch(user, "{\"role\":\"coordinator\",\"facilities\":[\"general\",\"eastside-clinic\"]}")),
        Http.send(post(user + "/disable", "")),
        Http.send(post(user + "/enable", "")),
        Http.send(post(user + "/reset-password", "")),
        Http.send(delete(user)));
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.body()).isLessThan(300));

    List<JsonObject> rows = audited(env, 8, "actor = ? AND target = ?", ADMIN, u.actor());
    assertThat(rows).extracting(r -> r.getString("ACTION")).containsExactly("createUser", "updateUser", "updateUser",
        "updateUser", "disableUser", "enableUser", "resetPassword", "removeUser");
    assertThat(rows).extracting(r -> r.getString("OUTCOME")).containsExactly("201", "200", "200", "200", "200", "200",
        "200", "204");
    List<String> details = rows.stream().map(r -> r.getString("DETAIL")).toList();
    assertThat(details.get(0)).contains("viewer").contains("general");
    assertThat(details.get(1)).contains("commander").doesNotContain("of [");
    assertThat(details.get(2)).contains("[eastside-clinic]").doesNotContain("commander");
    assertThat(details.get(3)).contains("coordinator").contains("general").contains("eastside-clinic");
    assertThat(details.get(4)).contains("disabled");
    assertThat(details.get(5)).contains("enabled");
    assertThat(details.get(6)).contains("password reset");
    assertThat(details.get(7)).contains("removed");
    assertThat(rows).allSatisfy(r -> assertThat(r.getString("ORIGIN")).isEqualTo("127.0.0.1"));
    intact(env.baseA());
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("verifying the audit log while commands are being audited (on another node of the cluster) reports it intact")
  void auditVerifiedWhileOthersWrite(String kind) throws Exception {
    Env env = env(kind);
    intact(env.baseA());
    ExecutorService writer = Executors.newSingleThreadExecutor();
    AtomicInteger written = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Future<?> writing = writer.submit(() -> {
      while (!stop.get()) {
        Http.Response r = Http.send(patch(env.baseB() + "/api/v1/facilities/general/readiness",
            "{\"supplies\":{\"audit-race\":" + sentinel.incrementAndGet() + "}}"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        written.incrementAndGet();
      }
      return null;
    });
    List<String> alarms = new ArrayList<>();
    try {
      eventually(WAIT, () -> written.get() > 0);
      for (int i = 0; i < 100; i++) {
        JsonObject verify = Http.get(env.baseA() + "/api/v1/audit/verify").json();
        if (!verify.getBoolean("intact")) {
          alarms.add(verify.getJsonArray("problems").encode());
        }
      }
    } finally {
      stop.set(true);
      writing.get(30, TimeUnit.SECONDS);
      writer.shutdownNow();
    }
    assertThat(written.get()).isPositive();
    assertThat(alarms).as("verifications that reported a broken chain while %d commands were audited", written.get())
        .isEmpty();
    intact(env.baseA());
  }

  // ---- helpers

  private User user(Env env, String prefix, String role, String... facilities) {
    return create(env.baseA(), null, prefix, role, facilities);
  }

  /** Creates a user as the admin (the node's signed-in test admin when {@code adminToken} is null). */
  private User create(String base, String adminToken, String prefix, String role, String... facilities) {
    String name = prefix + "-" + names.incrementAndGet();
    String password = "password-of-" + name;
    HttpRequest.Builder request = post(base + "/api/v1/users", new JsonObject().put("username", name)
        .put("password", password).put("role", role).put("facilities", new JsonArray(List.of((Object[]) facilities)))
        .encode());
    Http.Response r = adminToken == null ? Http.send(request) : as(adminToken, request);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return new User(r.json().getString("id"), name, password);
  }

  private static String adminToken(Muster node) {
    return Http.token("127.0.0.1:" + node.httpPort());
  }

  private static String token(String base, User u) {
    return TestNodes.login(base, u.name(), u.password());
  }

  private static Http.Response signIn(String base, String username, String password) {
    return Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", username).put("password", password).encode());
  }

  private static Http.Response me(String base, String token) {
    return as(token, get(base + "/api/v1/auth/me"));
  }

  private static Http.Response refresh(String base, String token) {
    return as(token, post(base + "/api/v1/auth/refresh", ""));
  }

  /**
   * Every node refuses the token: the node that made the change at once, the others once they
   * re-read the user (within a second).
   */
  private static void endedEverywhere(Env env, String token) {
    eventually(FEW_SECONDS, () -> env.bases().stream().allMatch(base -> me(base, token).status() == 401));
  }

  static Http.Response as(String token, HttpRequest.Builder request) {
    return Http.send(request.header("Authorization", "Bearer " + token));
  }

  static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).GET();
  }

  static HttpRequest.Builder post(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  static HttpRequest.Builder patch(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json));
  }

  static HttpRequest.Builder delete(String url) {
    return HttpRequest.newBuilder(URI.create(url)).DELETE();
  }

  static void assertError(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().getJsonObject("error").getString("code")).as(r.body()).isEqualTo(code);
    assertThat(r.json().getJsonObject("error").getString("message")).isNotBlank();
  }

  private static void assertField(Http.Response r, String field) {
    assertError(r, 400, "invalid_request");
    assertThat(r.json().getJsonObject("error").getString("field")).as(r.body()).isEqualTo(field);
  }

  private static JsonObject single(List<JsonObject> rows) {
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  /** Audit rows of the environment that match, once at least {@code atLeast} are there (each node's trail is flushed first). */
  private List<JsonObject> audited(Env env, int atLeast, String where, Object... params) {
    List<JsonObject> found = new ArrayList<>();
    eventually(WAIT, () -> {
      env.bases().forEach(SessionsIT::flushAudit);
      found.clear();
      found.addAll(auditRows(env.db(), where, params));
      return found.size() >= atLeast;
    });
    return found;
  }

  private static List<JsonObject> audited(TestDatabase db, String base, String token, int atLeast, String where,
                                          Object... params) {
    List<JsonObject> found = new ArrayList<>();
    eventually(WAIT, () -> {
      Http.Response verify = as(token, get(base + "/api/v1/audit/verify"));
      assertThat(verify.status()).as(verify.body()).isEqualTo(200);
      found.clear();
      found.addAll(auditRows(db, where, params));
      return found.size() >= atLeast;
    });
    return found;
  }

  /** The audit trail is written in batches; verifying it writes what is pending first. */
  private static void flushAudit(String base) {
    Http.Response verify = Http.get(base + "/api/v1/audit/verify");
    assertThat(verify.status()).as(verify.body()).isEqualTo(200);
  }

  /**
   * The audit chain verifies as intact. Asked again until it does: a verification that overlaps
   * another append can report a false alarm ({@link #auditVerifiedWhileOthersWrite} shows it);
   * a chain really broken stays broken.
   */
  private static void intact(String base) {
    eventually(WAIT, () -> Http.get(base + "/api/v1/audit/verify").json().getBoolean("intact"));
  }

  /** Audit rows in order, as objects with upper-case column names. */
  static List<JsonObject> auditRows(TestDatabase db, String where, Object... params) {
    return query(db, "SELECT seq, actor, origin, action, target, outcome, detail FROM audit_log WHERE " + where
        + " ORDER BY seq", params);
  }

  /** What sign-in and authorisation depend on, for every user. */
  private static List<JsonObject> userRows(TestDatabase db) {
    return query(db, "SELECT id, username, password_hash, user_role, facilities, disabled, token_version,"
        + " must_change_password FROM app_user ORDER BY id");
  }

  private static long enabledAdmins(TestDatabase db) {
    return db.count("SELECT COUNT(*) FROM app_user WHERE user_role = 'admin' AND disabled = FALSE");
  }

  static List<JsonObject> query(TestDatabase db, String sql, Object... params) {
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<JsonObject> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          JsonObject row = new JsonObject();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnLabel(i).toUpperCase(), rs.getString(i));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
