package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.store.AsyncDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node believes about a token or a machine key, under a clock the test moves: the database's
 * answer is used for less than a second, then read again; the node that made a change forgets at once.
 */
@Timeout(60)
class SessionsTest {
  private static final long MS = 1_000_000L;
  private static final String SECRET = "sessions-test-secret-that-is-long-enough";
  private static final String USER = "8d0c4a5e-0000-4000-8000-000000000001";
  private static final String OTHER = "8d0c4a5e-0000-4000-8000-000000000002";
  private static final String GOOD_KEY = "mk_good";

  private Vertx vertx;
  private Tokens tokens;
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  /** The users as the database holds them now (absent: removed or disabled). */
  private final Map<String, AtomicReference<Optional<Accounts.Standing>>> stored = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> userReads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> keyReads = new ConcurrentHashMap<>();
  private final AtomicReference<Optional<Principal>> goodKey = new AtomicReference<>();
  private Sessions sessions;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    tokens = new Tokens(vertx, SECRET, "muster", 15);
    stored.put(USER, new AtomicReference<>(Optional.of(standing(USER, "rita", Role.COMMANDER, 0))));
    stored.put(OTHER, new AtomicReference<>(Optional.of(standing(OTHER, "otto", Role.VIEWER, 0))));
    goodKey.set(Optional.of(new Principal("k-1", "feed", Principal.Kind.KEY, Role.VIEWER, List.of("*"))));
    Sessions.Users users = id -> {
      userReads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      return stored.containsKey(id) ? stored.get(id).get() : Optional.empty();
    };
    Sessions.Keys keys = key -> {
      keyReads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return GOOD_KEY.equals(key) ? goodKey.get() : Optional.empty();
    };
    sessions = new Sessions(users, keys, tokens, new AsyncDb(vertx, null, 1), 1000, nanos::get);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static Accounts.Standing standing(String id, String name, Role role, int version) {
    return new Accounts.Standing(new Principal(id, name, Principal.Kind.USER, role, List.of("general")), version, false);
  }

  /** The database now holds this token version for the user (a change made on another node). */
  private void storedVersion(String id, int version) {
    Accounts.Standing s = stored.get(id).get().orElseThrow();
    stored.get(id).set(Optional.of(new Accounts.Standing(s.principal(), version, s.mustChangePassword())));
  }

  private String tokenOf(String id) {
    return tokens.issue(stored.get(id).get().orElseThrow());
  }

  private int userReads(String id) {
    return userReads.getOrDefault(id, new AtomicInteger()).get();
  }

  private int keyReads(String key) {
    return keyReads.getOrDefault(key, new AtomicInteger()).get();
  }

  private void at(long millisAfterStart, long start) {
    nanos.set(start + millisAfterStart * MS);
  }

  /** Waits for the future to complete, either way, and returns it. */
  private static <T> Future<T> settled(Future<T> f) {
    try {
      f.toCompletionStage().toCompletableFuture().handle((v, t) -> null).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the future did not complete", e);
    }
    return f;
  }

  private Future<Sessions.Caller> bearer(String token) {
    return settled(sessions.authenticate("Bearer " + token, null));
  }

  private Future<Sessions.Caller> key(String key) {
    return settled(sessions.authenticate(null, key));
  }

  @Test
  @DisplayName("a token whose version changed elsewhere: at 999 ms the kept answer may still be used, at 1000 ms it is read again and refused")
  void versionChangeSeenWithinOneSecond() {
    long start = nanos.get();
    String old = tokenOf(USER);
    assertThat(bearer(old).succeeded()).isTrue();
    assertThat(userReads(USER)).isEqualTo(1);

    storedVersion(USER, 1);   // the password changed on another node
    at(999, start);
    Future<Sessions.Caller> stillKept = bearer(old);
    assertThat(stillKept.succeeded()).as("within the second the kept answer is used").isTrue();
    assertThat(userReads(USER)).as("no read within the second").isEqualTo(1);

    at(1000, start);
    Future<Sessions.Caller> reRead = bearer(old);
    assertThat(reRead.failed()).as("at one second the user is read again and the old token refused").isTrue();
    assertThat(reRead.cause().getMessage()).contains("sign-in has ended");
    assertThat(userReads(USER)).isEqualTo(2);

    Future<Sessions.Caller> fresh = bearer(tokenOf(USER));
    assertThat(fresh.succeeded()).isTrue();
    assertThat(fresh.result().tokenVersion()).isEqualTo(1);
    assertThat(userReads(USER)).as("the answer just read is kept").isEqualTo(2);
  }

  @Test
  @DisplayName("a user removed or disabled elsewhere is refused once the kept answer is a second old")
  void removedUserRefusedAfterOneSecond() {
    long start = nanos.get();
    String token = tokenOf(USER);
    assertThat(bearer(token).succeeded()).isTrue();
    stored.get(USER).set(Optional.empty());
    at(999, start);
    assertThat(bearer(token).succeeded()).isTrue();
    at(1000, start);
    Future<Sessions.Caller> refused = bearer(token);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause().getMessage()).contains("no longer exists or is disabled");
  }

  @Test
  @DisplayName("userChanged forgets the user at once (the node that made the change), and only that user")
  void userChangedForgetsAtOnce() {
    String token = tokenOf(USER);
    String other = tokenOf(OTHER);
    assertThat(bearer(token).succeeded()).isTrue();
    assertThat(bearer(other).succeeded()).isTrue();

    storedVersion(USER, 1);
    storedVersion(OTHER, 1);
    sessions.userChanged(USER);
    Future<Sessions.Caller> refused = bearer(token);
    assertThat(refused.failed()).as("no time has passed, yet the change is seen").isTrue();
    assertThat(userReads(USER)).isEqualTo(2);
    assertThat(bearer(other).succeeded()).as("another user's kept answer is untouched").isTrue();
    assertThat(userReads(OTHER)).isEqualTo(1);
  }

  @Test
  @DisplayName("standing() keeps the answer for less than a second and shares one read between callers")
  void standingSharesOneRead() throws InterruptedException {
    long start = nanos.get();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    Sessions slow = new Sessions(id -> {
      reads.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return stored.get(USER).get();
    }, key -> Optional.empty(), tokens, new AsyncDb(vertx, null, 2), 1000, nanos::get);
    Future<Optional<Accounts.Standing>> first = slow.standing(USER);
    Future<Optional<Accounts.Standing>> second = slow.standing(USER);
    release.countDown();
    assertThat(settled(first).result()).isPresent();
    assertThat(settled(second).result()).isPresent();
    assertThat(reads.get()).isEqualTo(1);
    at(1000, start);
    settled(slow.standing(USER));
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("a read that failed is not kept: the next request reads again")
  void failedReadNotKept() {
    AtomicInteger reads = new AtomicInteger();
    Sessions flaky = new Sessions(id -> {
      if (reads.incrementAndGet() == 1) {
        throw new IllegalStateException("database unavailable");
      }
      return stored.get(USER).get();
    }, key -> Optional.empty(), tokens, new AsyncDb(vertx, null, 1), 1000, nanos::get);
    assertThat(settled(flaky.standing(USER)).failed()).isTrue();
    assertThat(settled(flaky.standing(USER)).result()).isPresent();
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("a wrong API key is read once per second however often it is tried")
  void wrongKeyReadOncePerSecond() {
    long start = nanos.get();
    String wrong = "mk_" + "0".repeat(32) + "_guess";
    for (int ms = 0; ms < 1000; ms += 10) {
      at(ms, start);
      Future<Sessions.Caller> refused = key(wrong);
      assertThat(refused.failed()).isTrue();
      assertThat(refused.cause().getMessage()).contains("not valid or was revoked");
    }
    assertThat(keyReads(wrong)).as("100 tries within a second: one read").isEqualTo(1);
    at(1000, start);
    assertThat(key(wrong).failed()).isTrue();
    assertThat(keyReads(wrong)).isEqualTo(2);
    for (int i = 0; i < 50; i++) {
      key(wrong);
    }
    assertThat(keyReads(wrong)).isEqualTo(2);
  }

  @Test
  @DisplayName("a revoked key: kept for under a second elsewhere; keysChanged (the revoking node) forgets at once")
  void keysChangedForgetsAtOnce() {
    long start = nanos.get();
    Future<Sessions.Caller> ok = key(GOOD_KEY);
    assertThat(ok.succeeded()).isTrue();
    assertThat(ok.result().principal().name()).isEqualTo("feed");
    assertThat(ok.result().tokenVersion()).isNull();

    goodKey.set(Optional.empty());   // revoked
    at(500, start);
    assertThat(key(GOOD_KEY).succeeded()).as("another node still uses its kept answer within the second").isTrue();
    assertThat(keyReads(GOOD_KEY)).isEqualTo(1);
    sessions.keysChanged();
    assertThat(key(GOOD_KEY).failed()).as("the revoking node forgets at once").isTrue();
    assertThat(keyReads(GOOD_KEY)).isEqualTo(2);
  }

  @Test
  @DisplayName("no credentials: null, nothing read; a header that is not Bearer: refused, nothing read")
  void noCredentials() {
    Future<Sessions.Caller> none = settled(sessions.authenticate(null, null));
    assertThat(none.succeeded()).isTrue();
    assertThat(none.result()).isNull();
    Future<Sessions.Caller> basic = settled(sessions.authenticate("Basic YWRtaW46YWRtaW4=", null));
    assertThat(basic.failed()).isTrue();
    assertThat(basic.cause().getMessage()).contains("Bearer");
    assertThat(userReads).isEmpty();
    assertThat(keyReads).isEmpty();
  }
}
