package io.muster.app;

import io.muster.web.Failures;
import io.muster.common.ErrorCode;
import io.muster.security.Accounts;
import io.muster.security.AuditTrail;
import io.muster.security.Checkpoint;
import io.muster.security.Principal;
import io.muster.security.Role;
import io.muster.security.Sessions;
import io.muster.security.Tickets;
import io.muster.security.Tokens;
import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The API's sign-in, websocket ticket, user administration, key and audit operations. */
final class SecurityApi {
  private final AsyncDb db;
  private final Accounts accounts;
  private final Tokens tokens;
  private final Sessions sessions;
  private final Tickets tickets;
  private final AuditTrail audit;
  private final JsonObject about;

  SecurityApi(AsyncDb db, Accounts accounts, Tokens tokens, Sessions sessions, Tickets tickets, AuditTrail audit,
              JsonObject about) {
    this.db = db;
    this.accounts = accounts;
    this.tokens = tokens;
    this.sessions = sessions;
    this.tickets = tickets;
    this.audit = audit;
    this.about = about;
  }

  /** The handler of each operation this class answers, by operation id. */
  void handlers(Map<String, Handler<RoutingContext>> into) {
    into.put("about", ctx -> HttpVerticle.json(ctx, 200, about));
    into.put("login", this::login);
    into.put("refreshToken", this::refresh);
    into.put("me", ctx -> HttpVerticle.json(ctx, 200, ApiGuard.principal(ctx).toJson()
        .put("mustChangePassword", ApiGuard.caller(ctx).mustChangePassword())));
    into.put("changePassword", this::changePassword);
    into.put("logout", this::logout);
    into.put("wsTicket", ctx -> db.run(() -> tickets.issue(ApiGuard.principal(ctx), ApiGuard.caller(ctx).tokenVersion()))
        .onSuccess(t -> HttpVerticle.json(ctx, 200, new JsonObject().put("ticket", t)
            .put("expiresIn", Tickets.LIFETIME.toSeconds())))
        .onFailure(t -> Failures.respond(ctx, t)));
    into.put("listUsers", ctx -> answer(ctx, 200, db.run(accounts::users).map(users -> new JsonObject().put("users", users))));
    into.put("createUser", this::createUser);
    into.put("updateUser", this::updateUser);
    into.put("disableUser", ctx -> userChange(ctx, "disabled", id -> accounts.setDisabled(id, true)));
    into.put("enableUser", ctx -> userChange(ctx, "enabled", id -> accounts.setDisabled(id, false)));
    into.put("removeUser", ctx -> userChange(ctx, "removed", accounts::remove).onSuccess(p ->
        ctx.response().setStatusCode(204).end()));
    into.put("resetPassword", this::resetPassword);
    into.put("listApiKeys", ctx -> answer(ctx, 200, db.run(accounts::keys).map(keys -> new JsonObject().put("keys", keys))));
    into.put("createApiKey", this::createKey);
    into.put("revokeApiKey", this::revokeKey);
    into.put("verifyAudit", ctx -> answer(ctx, 200, audit.flush().compose(v -> db.run(audit::verify))
        .map(r -> new JsonObject().put("intact", r.intact()).put("rows", r.chain().rows())
            .put("headHash", r.chain().headHash()).put("problems", new JsonArray(r.problems()))
            .put("notes", new JsonArray(r.notes())).put("checkpoints", r.checkpoints()))));
    into.put("auditCheckpoint", this::checkpoint);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String username = body.getString("username");
    String ip = ApiGuard.origin(ctx);
    db.run(() -> accounts.login(username, body.getString("password"))).onSuccess(outcome -> {
      if (outcome instanceof Accounts.SignIn.Ok ok) {
        audit.record(new Audit.Entry(ok.standing().principal().actor(), ip, "login", "user:" + username, "200", ""));
        HttpVerticle.json(ctx, 200, signedIn(ok.standing()));
      } else if (outcome instanceof Accounts.SignIn.Locked locked) {
        audit.record(new Audit.Entry("anonymous", ip, "login", "user:" + username, "429", "too many wrong passwords"));
        ctx.response().putHeader("Retry-After", Long.toString(locked.retryAfterSeconds()));
        Failures.respond(ctx, ErrorCode.TOO_MANY_REQUESTS, "too many wrong passwords for this account; try again in "
            + locked.retryAfterSeconds() + " s", null);
      } else {
        audit.record(new Audit.Entry("anonymous", ip, "login", "user:" + username, "401", "wrong username or password"));
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
        Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "the username or password is wrong", null);
      }
    }).onFailure(t -> Failures.respond(ctx, t));
  }

  private JsonObject signedIn(Accounts.Standing s) {
    return new JsonObject().put("accessToken", tokens.issue(s)).put("tokenType", "Bearer")
        .put("expiresIn", tokens.expiresInSeconds())
        .put("user", s.principal().toJson().put("mustChangePassword", s.mustChangePassword()));
  }

  /** A wall screen stays signed in by trading its token for a fresh one before it expires. */
  private void refresh(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    if (p.kind() != Principal.Kind.USER) {
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "a machine key has no token to refresh", null);
      return;
    }
    // The gate has just checked the token against the user as stored now (at most a second old).
    sessions.standing(p.id()).onSuccess(now -> {
      if (now.isEmpty()) {
        Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "this user can no longer sign in", null);
      } else {
        HttpVerticle.json(ctx, 200, signedIn(now.get()));
      }
    }).onFailure(t -> Failures.respond(ctx, t));
  }

  private void changePassword(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    if (p.kind() != Principal.Kind.USER) {
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "a machine key has no password", null);
      return;
    }
    JsonObject body = ctx.body().asJsonObject();
    Future<Accounts.Standing> changed = db.run(() ->
        accounts.changePassword(p, body.getString("currentPassword"), body.getString("newPassword")));
    answer(ctx, 200, changed.map(s -> {
      sessions.userChanged(p.id());
      ctx.put(ApiGuard.AUDIT_TARGET, "user:" + p.name());
      ctx.put(ApiGuard.AUDIT_DETAIL, "password changed; earlier tokens ended");
      return signedIn(s);
    }));
  }

  private void logout(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    if (p.kind() != Principal.Kind.USER) {
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "a machine key cannot sign out; an admin revokes it", null);
      return;
    }
    db.run(() -> {
      accounts.endSessions(p.id());
      return null;
    }).onSuccess(v -> {
      sessions.userChanged(p.id());
      ctx.put(ApiGuard.AUDIT_TARGET, "user:" + p.name());
      ctx.put(ApiGuard.AUDIT_DETAIL, "signed out; every token of this user ended");
      ctx.response().setStatusCode(204).end();
    }).onFailure(t -> Failures.respond(ctx, t));
  }

  private void createUser(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String actor = ApiGuard.principal(ctx).actor();
    answer(ctx, 201, db.run(() -> accounts.createUser(body.getString("username"), body.getString("password"),
            Role.of("role", body.getString("role")), strings(body.getJsonArray("facilities")), actor))
        .map(p -> {
          ctx.put(ApiGuard.AUDIT_TARGET, "user:" + p.name());
          ctx.put(ApiGuard.AUDIT_DETAIL, "created as " + p.role().id() + " of " + p.scopeHeader());
          return p.toJson();
        }));
  }

  private void updateUser(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    Role role = body.getString("role") == null ? null : Role.of("role", body.getString("role"));
    List<String> facilities = body.getJsonArray("facilities") == null ? null : strings(body.getJsonArray("facilities"));
    userChange(ctx, "now " + (role == null ? "" : role.id() + " ") + (facilities == null ? "" : "of " + facilities),
        id -> accounts.update(id, role, facilities))
        .onSuccess(p -> HttpVerticle.json(ctx, 200, p.toJson()));
  }

  private void resetPassword(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    answer(ctx, 200, db.run(() -> accounts.resetPassword(id)).map(reset -> {
      sessions.userChanged(id);
      ctx.put(ApiGuard.AUDIT_TARGET, "user:" + reset.principal().name());
      ctx.put(ApiGuard.AUDIT_DETAIL, "password reset; must be changed at the next sign-in; earlier tokens ended");
      return new JsonObject().put("temporaryPassword", reset.temporaryPassword()).put("user", reset.principal().toJson());
    }));
  }

  /**
   * Runs an administrator's change to a user, forgets what this node kept about the user (other
   * nodes re-read within a second), and names the user and the change for the audit row. Answers
   * the failure itself; the caller answers the success.
   */
  private Future<Principal> userChange(RoutingContext ctx, String what, Function<String, Principal> change) {
    String id = ctx.pathParam("id");
    Future<Principal> changed = db.run(() -> change.apply(id)).onSuccess(p -> {
      sessions.userChanged(id);
      ctx.put(ApiGuard.AUDIT_TARGET, "user:" + p.name());
      ctx.put(ApiGuard.AUDIT_DETAIL, what.strip());
    }).onFailure(t -> Failures.respond(ctx, t));
    if (!"removed".equals(what)) {
      changed.onSuccess(p -> HttpVerticle.json(ctx, 200, p.toJson()));
    }
    return changed;
  }

  private void createKey(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String actor = ApiGuard.principal(ctx).actor();
    answer(ctx, 201, db.run(() -> accounts.createKey(body.getString("name"), Role.of("role", body.getString("role")),
            strings(body.getJsonArray("facilities")), actor))
        .map(k -> {
          ctx.put(ApiGuard.AUDIT_TARGET, "key:" + k.principal().name());
          return k.principal().toJson().put("key", k.key());
        }));
  }

  /** The newest checkpoint this node signed, and the public key that verifies it, for an outside collector. */
  private void checkpoint(RoutingContext ctx) {
    Checkpoint latest = audit.latest();
    if (latest == null) {
      Failures.respond(ctx, ErrorCode.UNAVAILABLE, "this node has not signed a checkpoint yet", null);
      return;
    }
    HttpVerticle.json(ctx, 200, new JsonObject().put("checkpoint", new JsonObject(latest.line()))
        .put("algorithm", "Ed25519")
        .put("publicKey", Base64.getEncoder().encodeToString(audit.key().publicKey()))
        .put("publicKeyPem", audit.key().publicKeyPem()));
  }

  private void revokeKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    db.run(() -> accounts.revokeKey(id)).onSuccess(done -> {
      sessions.keysChanged();
      if (done) {
        ctx.put(ApiGuard.AUDIT_TARGET, "key:" + id);
        HttpVerticle.json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
      } else {
        Failures.respond(ctx, ErrorCode.NOT_FOUND, "no active key with id '" + id + "'", "id");
      }
    }).onFailure(t -> Failures.respond(ctx, t));
  }

  private static void answer(RoutingContext ctx, int status, Future<JsonObject> answer) {
    answer.onSuccess(body -> HttpVerticle.json(ctx, status, body)).onFailure(t -> Failures.respond(ctx, t));
  }

  private static List<String> strings(JsonArray a) {
    return a.stream().map(String::valueOf).toList();
  }
}
