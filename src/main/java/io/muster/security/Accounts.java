package io.muster.security;

import io.muster.common.ErrorCode;
import io.muster.common.InvalidInput;
import io.muster.common.Rejection;
import io.muster.store.Db;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Users and machine keys in the database. Every call blocks (run it on a worker). Passwords are
 * kept as bcrypt hashes and keys as SHA-256 digests: neither can be read back.
 */
public final class Accounts {
  private static final String USERNAME = "[a-z0-9][a-z0-9._-]{2,63}";
  private static final String KEY_PREFIX = "mk_";

  private final Db db;
  private final Clock clock;
  private final Passwords passwords;
  private final Set<String> facilities;

  public Accounts(Db db, Clock clock, Passwords passwords, Set<String> facilities) {
    this.db = db;
    this.clock = clock;
    this.passwords = passwords;
    this.facilities = facilities;
  }

  /** A user created with its password, and the key a new machine key is known by (shown once). */
  public record NewKey(Principal principal, String key) { }

  /**
   * Creates the first administrator when there is no user at all; returns the password to show
   * when it was generated. Two nodes starting together create one admin: the username is unique.
   */
  public Optional<String> ensureAdmin(String configured) {
    if (db.tx(c -> Db.exists(c, "SELECT 1 FROM app_user"))) {
      return Optional.empty();
    }
    String password = configured != null && !configured.isBlank() ? configured : Passwords.random(20);
    Passwords.check("security.adminPassword", password);
    try {
      createUser("admin", password, Role.ADMIN, List.of(Principal.ALL), "system:first-start");
    } catch (RuntimeException e) {
      if (Db.uniqueViolation(e)) {
        return Optional.empty();
      }
      throw e;
    }
    return configured != null && !configured.isBlank() ? Optional.empty() : Optional.of(password);
  }

  public Principal createUser(String username, String password, Role role, List<String> scope, String actor) {
    if (username == null || !username.matches(USERNAME)) {
      throw new InvalidInput("username", "must be 3 to 64 characters: lowercase letters, digits, '.', '_' or '-'");
    }
    Passwords.check("password", password);
    List<String> checked = scope("facilities", scope);
    String hash = passwords.hash(password);
    Principal p = new Principal(UUID.randomUUID().toString(), username, Principal.Kind.USER, role, checked);
    try {
      db.tx(c -> Db.update(c, "INSERT INTO app_user (id, username, password_hash, user_role, facilities, created_at,"
          + " created_by, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)", p.id(), username, hash, role.id(),
          p.scopeHeader(), Db.ts(clock.instant()), actor));
    } catch (RuntimeException e) {
      if (Db.uniqueViolation(e)) {
        throw new Rejection(ErrorCode.CONFLICT, "username", "a user named '" + username + "' already exists");
      }
      throw e;
    }
    return p;
  }

  /** The user when the password is right (the time taken does not tell whether the user exists). */
  public Optional<Principal> login(String username, String password) {
    Optional<StoredUser> user = username != null && username.matches(USERNAME) ? db.tx(c -> user(c, username))
        : Optional.empty();
    String hash = user.map(StoredUser::hash).orElse(null);
    boolean ok = passwords.matches(hash, password);
    return ok && user.isPresent() && !user.get().disabled() ? Optional.of(user.get().principal()) : Optional.empty();
  }

  /** The user as stored now (role and facilities may have changed since a token was issued), unless disabled. */
  public Optional<Principal> current(Principal who) {
    return db.tx(c -> user(c, who.name())).filter(u -> !u.disabled() && u.principal().id().equals(who.id()))
        .map(StoredUser::principal);
  }

  public void changePassword(Principal who, String current, String next) {
    Passwords.check("newPassword", next);
    StoredUser user = db.tx(c -> user(c, who.name())).orElseThrow(() ->
        new Rejection(ErrorCode.UNAUTHORIZED, null, "no such user"));
    if (!passwords.matches(user.hash(), current == null ? "" : current)) {
      throw new Rejection(ErrorCode.FORBIDDEN, "currentPassword", "the current password is wrong");
    }
    String hash = passwords.hash(next);
    db.tx(c -> Db.update(c, "UPDATE app_user SET password_hash = ? WHERE id = ?", hash, user.principal().id()));
  }

  public JsonArray users() {
    return db.tx(c -> {
      JsonArray out = new JsonArray();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, username, user_role, facilities, disabled, created_at FROM app_user ORDER BY username");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new JsonObject().put("id", rs.getString(1)).put("username", rs.getString(2))
              .put("role", rs.getString(3)).put("facilities", new JsonArray(split(rs.getString(4))))
              .put("disabled", rs.getBoolean(5)).put("createdAt", Db.instant(rs.getObject(6)).toString()));
        }
      }
      return out;
    });
  }

  /** A new machine key; the returned key text is shown once and never stored. */
  public NewKey createKey(String name, Role role, List<String> scope, String actor) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new InvalidInput("name", "must be 1 to 100 characters");
    }
    if (role == Role.ADMIN) {
      throw new InvalidInput("role", "a machine key cannot be an admin; use viewer, coordinator or commander");
    }
    List<String> checked = scope("facilities", scope);
    String id = UUID.randomUUID().toString().replace("-", "");
    String secret = Passwords.random(40);
    Principal p = new Principal(id, name.strip(), Principal.Kind.KEY, role, checked);
    db.tx(c -> Db.update(c, "INSERT INTO api_key (id, name, secret_hash, key_role, facilities, created_at, created_by)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, p.name(), digest(secret), role.id(), p.scopeHeader(),
        Db.ts(clock.instant()), actor));
    return new NewKey(p, KEY_PREFIX + id + "_" + secret);
  }

  public Optional<Principal> key(String key) {
    if (key == null || !key.matches(KEY_PREFIX + "[0-9a-f]{32}_[A-Za-z0-9]{40}")) {
      return Optional.empty();
    }
    String id = key.substring(3, 35);
    String secret = key.substring(36);
    return db.tx(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, secret_hash, key_role, facilities FROM api_key WHERE id = ? AND revoked_at IS NULL")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(rs.getString(2).getBytes(StandardCharsets.US_ASCII),
              digest(secret).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
          }
          return Optional.of(new Principal(id, rs.getString(1), Principal.Kind.KEY, Role.of("role", rs.getString(3)),
              split(rs.getString(4))));
        }
      }
    });
  }

  public boolean revokeKey(String id) {
    return db.tx(c -> Db.update(c, "UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        Db.ts(clock.instant()), id)) == 1;
  }

  public JsonArray keys() {
    return db.tx(c -> {
      JsonArray out = new JsonArray();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, name, key_role, facilities, created_at, revoked_at FROM api_key ORDER BY created_at");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          var revoked = Db.instant(rs.getObject(6));
          out.add(new JsonObject().put("id", rs.getString(1)).put("name", rs.getString(2)).put("role", rs.getString(3))
              .put("facilities", new JsonArray(split(rs.getString(4))))
              .put("createdAt", Db.instant(rs.getObject(5)).toString())
              .put("revokedAt", revoked == null ? null : revoked.toString()));
        }
      }
      return out;
    });
  }

  private List<String> scope(String field, List<String> scope) {
    if (scope == null || scope.isEmpty()) {
      throw new InvalidInput(field, "must list facility ids, or [\"*\"] for all");
    }
    List<String> out = new ArrayList<>();
    for (String f : scope) {
      if (!Principal.ALL.equals(f) && !facilities.contains(f)) {
        throw new InvalidInput(field, "unknown facility '" + f + "'");
      }
      out.add(f);
    }
    return out.contains(Principal.ALL) ? List.of(Principal.ALL) : out;
  }

  private record StoredUser(Principal principal, String hash, boolean disabled) { }

  private static Optional<StoredUser> user(Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, username, password_hash, user_role, facilities, disabled FROM app_user WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new StoredUser(new Principal(rs.getString(1), rs.getString(2), Principal.Kind.USER,
            Role.of("role", rs.getString(4)), split(rs.getString(5))), rs.getString(3), rs.getBoolean(6)));
      }
    }
  }

  private static List<String> split(String facilities) {
    return Arrays.asList(facilities.split(","));
  }

  private static String digest(String secret) {
    return io.muster.store.Audit.sha256(secret);
  }
}
