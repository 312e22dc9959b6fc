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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Users and machine keys in the database. Every call blocks (run it on a worker). Passwords are
 * kept as bcrypt hashes and keys as SHA-256 digests: neither can be read back.
 *
 * <p>Each user has a token version: a change of password, role or facilities, a disable, a reset
 * and a sign-out raise it, which ends every token issued before ({@link Sessions}).
 */
public final class Accounts {
  private static final String USERNAME = "[a-z0-9][a-z0-9._-]{2,63}";
  private static final String KEY_PREFIX = "mk_";
  private static final String USER_COLUMNS = "id, username, password_hash, user_role, facilities, disabled, token_version,"
      + " must_change_password, failed_logins, locked_until";

  private final Db db;
  private final Clock clock;
  private final Passwords passwords;
  private final Set<String> facilities;
  private final LoginThrottle unknownNames = new LoginThrottle();

  public Accounts(Db db, Clock clock, Passwords passwords, Set<String> facilities) {
    this.db = db;
    this.clock = clock;
    this.passwords = passwords;
    this.facilities = facilities;
  }

  /** A user as stored now: who, the token version tokens must carry, and whether the password must change first. */
  public record Standing(Principal principal, int version, boolean mustChangePassword) { }

  /** How a sign-in ended. */
  public sealed interface SignIn {
    record Ok(Standing standing) implements SignIn { }

    record Refused() implements SignIn { }

    /** Too many wrong passwords in a row: refused without looking at the password. */
    record Locked(long retryAfterSeconds) implements SignIn { }
  }

  /** A user created with its password, and the key a new machine key is known by (shown once). */
  public record NewKey(Principal principal, String key) { }

  /**
   * The first administrator, made before it is known to be needed: its password (the configured
   * one, else a random one, which is then shown once) and the password's hash, the slow part.
   */
  public record FirstAdmin(String password, boolean generated, String hash) {
    @Override
    public String toString() {
      return "FirstAdmin[generated=" + generated + "]";
    }
  }

  /** Blocking (a full-cost hash). Refuses a configured password that is too short or too long for bcrypt. */
  public static FirstAdmin firstAdmin(Passwords passwords, String configured) {
    boolean generated = configured == null || configured.isBlank();
    String password = generated ? Passwords.random(20) : configured;
    Passwords.check("security.adminPassword", password);
    return new FirstAdmin(password, generated, passwords.hash(password));
  }

  /**
   * Creates the first administrator when there is no user at all; returns the password to show
   * when it was generated. Two nodes starting together create one admin: the username is unique.
   */
  public Optional<String> ensureAdmin(String configured) {
    return ensureAdmin(() -> firstAdmin(passwords, configured));
  }

  /** As {@link #ensureAdmin(String)}, with the administrator {@code admin} gives, asked only when there is no user. */
  public Optional<String> ensureAdmin(Supplier<FirstAdmin> admin) {
    if (db.tx(c -> Db.exists(c, "SELECT 1 FROM app_user"))) {
      return Optional.empty();
    }
    FirstAdmin first = admin.get();
    try {
      insertUser(new Principal(UUID.randomUUID().toString(), "admin", Principal.Kind.USER, Role.ADMIN,
          List.of(Principal.ALL)), first.hash(), "system:first-start");
    } catch (RuntimeException e) {
      if (Db.uniqueViolation(e)) {
        return Optional.empty();
      }
      throw e;
    }
    return first.generated() ? Optional.of(first.password()) : Optional.empty();
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
      insertUser(p, hash, actor);
    } catch (RuntimeException e) {
      if (Db.uniqueViolation(e)) {
        throw new Rejection(ErrorCode.CONFLICT, "username", "a user named '" + username + "' already exists");
      }
      throw e;
    }
    return p;
  }

  private void insertUser(Principal p, String hash, String actor) {
    db.tx(c -> Db.update(c, "INSERT INTO app_user (id, username, password_hash, user_role, facilities, created_at,"
        + " created_by, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)", p.id(), p.name(), hash, p.role().id(),
        p.scopeHeader(), Db.ts(clock.instant()), actor));
  }

  /**
   * Signs a user in. Wrong passwords in a row lock the account for a growing time ({@link
   * LoginThrottle}); names that do not exist are throttled the same way, so the answers do not
   * tell whether a user exists, and neither does the time taken.
   */
  public SignIn login(String username, String password) {
    Instant now = clock.instant();
    Optional<StoredUser> user = username != null && username.matches(USERNAME) ? db.tx(c -> user(c, "username", username))
        : Optional.empty();
    if (user.isEmpty()) {
      long wait = unknownNames.waitSeconds(String.valueOf(username), now);
      if (wait > 0) {
        return new SignIn.Locked(wait);
      }
      passwords.matches(null, password);
      unknownNames.failed(String.valueOf(username), now);
      return new SignIn.Refused();
    }
    StoredUser u = user.get();
    if (u.lockedUntil() != null && u.lockedUntil().isAfter(now)) {
      return new SignIn.Locked(Math.max(1, Duration.between(now, u.lockedUntil()).toSeconds() + 1));
    }
    if (!passwords.matches(u.hash(), password)) {
      recordFailure(u.standing().principal().id(), now);
      return new SignIn.Refused();
    }
    if (u.disabled()) {
      return new SignIn.Refused();
    }
    if (u.failedLogins() > 0) {
      db.tx(c -> Db.update(c, "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?",
          u.standing().principal().id()));
    }
    return new SignIn.Ok(u.standing());
  }

  private void recordFailure(String id, Instant now) {
    db.tx(c -> {
      Db.update(c, "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = ?", id);
      int failures = user(c, "id", id).map(StoredUser::failedLogins).orElse(0);
      Duration lock = LoginThrottle.lockAfter(failures);
      if (!lock.isZero()) {
        Db.update(c, "UPDATE app_user SET locked_until = ? WHERE id = ?", Db.ts(now.plus(lock)), id);
      }
      return null;
    });
  }

  /** The user as stored now, unless removed or disabled. */
  public Optional<Standing> standing(String userId) {
    return db.tx(c -> user(c, "id", userId)).filter(u -> !u.disabled()).map(StoredUser::standing);
  }

  /** Changes the password (the current one must be given); ends every earlier token. */
  public Standing changePassword(Principal who, String current, String next) {
    Passwords.check("newPassword", next);
    StoredUser user = db.tx(c -> user(c, "id", who.id())).orElseThrow(() ->
        new Rejection(ErrorCode.UNAUTHORIZED, null, "no such user"));
    if (!passwords.matches(user.hash(), current == null ? "" : current)) {
      throw new Rejection(ErrorCode.FORBIDDEN, "currentPassword", "the current password is wrong");
    }
    if (passwords.matches(user.hash(), next)) {
      throw new InvalidInput("newPassword", "must differ from the current password");
    }
    String hash = passwords.hash(next);
    return db.tx(c -> {
      Db.update(c, "UPDATE app_user SET password_hash = ?, must_change_password = FALSE,"
          + " token_version = token_version + 1 WHERE id = ?", hash, who.id());
      return user(c, "id", who.id()).orElseThrow().standing();
    });
  }

  /** Ends every token of this user (sign-out). */
  public void endSessions(String userId) {
    db.tx(c -> Db.update(c, "UPDATE app_user SET token_version = token_version + 1 WHERE id = ?", userId));
  }

  /** A new role or facilities (null: unchanged); ends the user's tokens. The last admin cannot be demoted. */
  public Principal update(String userId, Role role, List<String> scope) {
    List<String> checked = scope == null ? null : scope("facilities", scope);
    return db.tx(c -> {
      StoredUser u = existing(c, userId);
      if (role != null && role != Role.ADMIN) {
        keepAnAdmin(c, u);
      }
      Principal before = u.standing().principal();
      Db.update(c, "UPDATE app_user SET user_role = ?, facilities = ?, token_version = token_version + 1 WHERE id = ?",
          (role == null ? before.role() : role).id(),
          checked == null ? before.scopeHeader() : String.join(",", checked), userId);
      return user(c, "id", userId).orElseThrow().standing().principal();
    });
  }

  /** Disables (ending the user's tokens) or enables (lifting a lockout) a user. The last admin stays enabled. */
  public Principal setDisabled(String userId, boolean disabled) {
    return db.tx(c -> {
      StoredUser u = existing(c, userId);
      if (disabled) {
        keepAnAdmin(c, u);
        Db.update(c, "UPDATE app_user SET disabled = TRUE, token_version = token_version + 1 WHERE id = ?", userId);
      } else {
        Db.update(c, "UPDATE app_user SET disabled = FALSE, failed_logins = 0, locked_until = NULL WHERE id = ?", userId);
      }
      return u.standing().principal();
    });
  }

  /** A user's new temporary password, shown once. */
  public record Reset(Principal principal, String temporaryPassword) { }

  /** A new temporary password (disabled users too); the user must change it before anything else. */
  public Reset resetPassword(String userId) {
    String temporary = Passwords.random(20);
    String hash = passwords.hash(temporary);
    Principal p = db.tx(c -> {
      StoredUser u = existing(c, userId);
      Db.update(c, "UPDATE app_user SET password_hash = ?, must_change_password = TRUE, failed_logins = 0,"
          + " locked_until = NULL, token_version = token_version + 1 WHERE id = ?", hash, userId);
      return u.standing().principal();
    });
    return new Reset(p, temporary);
  }

  /** Removes a user (the audit log keeps the name); the last admin cannot be removed. */
  public Principal remove(String userId) {
    return db.tx(c -> {
      StoredUser u = existing(c, userId);
      keepAnAdmin(c, u);
      Db.update(c, "DELETE FROM app_user WHERE id = ?", userId);
      return u.standing().principal();
    });
  }

  public JsonArray users() {
    return db.tx(c -> {
      JsonArray out = new JsonArray();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + ", created_at FROM app_user ORDER BY username");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StoredUser u = stored(rs);
          out.add(u.standing().principal().toJson().put("disabled", u.disabled())
              .put("mustChangePassword", u.standing().mustChangePassword())
              .put("lockedUntil", u.lockedUntil() == null ? null : u.lockedUntil().toString())
              .put("createdAt", Db.instant(rs.getObject(11)).toString()));
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

  /**
   * Refuses a change that would leave no enabled administrator. The enabled admins are locked first,
   * so two administrators cannot demote each other at the same moment.
   */
  private static void keepAnAdmin(Connection c, StoredUser target) throws SQLException {
    if (target.disabled() || target.standing().principal().role() != Role.ADMIN) {
      return;
    }
    int others = 0;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id FROM app_user WHERE user_role = 'admin' AND disabled = FALSE FOR UPDATE")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          others += rs.getString(1).equals(target.standing().principal().id()) ? 0 : 1;
        }
      }
    }
    if (others == 0) {
      throw new Rejection(ErrorCode.CONFLICT, "id", "'" + target.standing().principal().name()
          + "' is the last enabled administrator; make another user an administrator first");
    }
  }

  private record StoredUser(Standing standing, String hash, boolean disabled, int failedLogins, Instant lockedUntil) { }

  private static StoredUser existing(Connection c, String id) throws SQLException {
    return user(c, "id", id).orElseThrow(() -> new Rejection(ErrorCode.NOT_FOUND, "id", "no user with id '" + id + "'"));
  }

  private static Optional<StoredUser> user(Connection c, String column, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM app_user WHERE " + column + " = ?")) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(stored(rs)) : Optional.empty();
      }
    }
  }

  private static StoredUser stored(ResultSet rs) throws SQLException {
    Principal p = new Principal(rs.getString(1), rs.getString(2), Principal.Kind.USER, Role.of("role", rs.getString(4)),
        split(rs.getString(5)));
    return new StoredUser(new Standing(p, rs.getInt(7), rs.getBoolean(8)), rs.getString(3), rs.getBoolean(6),
        rs.getInt(9), Db.instant(rs.getObject(10)));
  }

  private static List<String> split(String facilities) {
    return Arrays.asList(facilities.split(","));
  }

  private static String digest(String secret) {
    return io.muster.store.Audit.sha256(secret);
  }
}
