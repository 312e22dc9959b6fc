package io.muster.security;

import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who a request's credentials stand for, as the database says now. A token is good only while its
 * user exists, is enabled and still has the token version the token carries; a machine key only
 * while it is not revoked. What the database said is kept for at most {@code freshMillis} (a
 * second by default), so every node learns of a change within that time without a database read
 * per request; the node that made the change forgets at once.
 */
public final class Sessions {
  private static final int MAX_ENTRIES = 10_000;

  /**
   * An authenticated caller: a user with the token version it signed in with, or a machine key (no
   * version); {@code mustChangePassword}: a user after a password reset.
   */
  public record Caller(Principal principal, Integer tokenVersion, boolean mustChangePassword) { }

  private record Cached<T>(long at, Future<Optional<T>> value) { }

  /** Reads a user's standing from the database (blocking). */
  public interface Users {
    Optional<Accounts.Standing> standing(String userId);
  }

  /** Finds the principal of a machine key (blocking); empty for a wrong or revoked key. */
  public interface Keys {
    Optional<Principal> principal(String key);
  }

  private final Users accounts;
  private final Keys keyStore;
  private final Tokens tokens;
  private final AsyncDb db;
  private final long freshNanos;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Cached<Accounts.Standing>> users = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached<Principal>> keys = new ConcurrentHashMap<>();

  public Sessions(Users users, Keys keys, Tokens tokens, AsyncDb db, long freshMillis, LongSupplier nanos) {
    this.accounts = users;
    this.keyStore = keys;
    this.tokens = tokens;
    this.db = db;
    this.freshNanos = freshMillis * 1_000_000;
    this.nanos = nanos;
  }

  /**
   * The caller named by a bearer token or a machine key; null when the request carries neither;
   * a failed future whose message says why for credentials that are not (or no longer) good.
   */
  public Future<Caller> authenticate(String authorization, String apiKey) {
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Future.failedFuture("the Authorization header must be 'Bearer <token>'");
      }
      return tokens.verify(authorization.substring(7).strip())
          .recover(t -> Future.failedFuture("the access token is not valid (" + t.getMessage() + "); sign in again"))
          .compose(this::current);
    }
    if (apiKey != null) {
      String key = apiKey.strip();
      return cached(keys, Audit.sha256(key), () -> keyStore.principal(key)).compose(p -> p.isPresent()
          ? Future.succeededFuture(new Caller(p.get(), null, false))
          : Future.failedFuture("the API key is not valid or was revoked"));
    }
    return Future.succeededFuture(null);
  }

  private Future<Caller> current(Tokens.Claims claims) {
    return standing(claims.userId()).compose(s -> {
      if (s.isEmpty()) {
        return Future.failedFuture("this user no longer exists or is disabled");
      }
      if (s.get().version() != claims.version()) {
        return Future.failedFuture("this sign-in has ended (the password, role or facilities changed, or the user"
            + " signed out); sign in again");
      }
      return Future.succeededFuture(new Caller(s.get().principal(), s.get().version(), s.get().mustChangePassword()));
    });
  }

  /** The user as stored now (empty: removed or disabled), at most {@code freshMillis} old. */
  public Future<Optional<Accounts.Standing>> standing(String userId) {
    return cached(users, userId, () -> accounts.standing(userId));
  }

  /** This node changed the user: forget what was kept about them. */
  public void userChanged(String userId) {
    users.remove(userId);
  }

  /** This node revoked a key: forget every key kept. */
  public void keysChanged() {
    keys.clear();
  }

  private <T> Future<Optional<T>> cached(ConcurrentHashMap<String, Cached<T>> map, String id,
                                         java.util.concurrent.Callable<Optional<T>> load) {
    long now = nanos.getAsLong();
    Cached<T> hit = map.get(id);
    if (hit != null && now - hit.at() < freshNanos && !hit.value().failed()) {
      return hit.value();
    }
    if (map.size() > MAX_ENTRIES) {
      map.clear();
    }
    Future<Optional<T>> loaded = db.run(load);
    map.put(id, new Cached<>(now, loaded));
    return loaded;
  }
}
