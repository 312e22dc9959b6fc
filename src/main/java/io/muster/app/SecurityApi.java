package io.muster.app;

import io.muster.common.ErrorCode;
import io.muster.security.Accounts;
import io.muster.security.AuditTrail;
import io.muster.security.Checkpoint;
import io.muster.security.Principal;
import io.muster.security.Role;
import io.muster.security.Tickets;
import io.muster.security.Tokens;
import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Base64;
import java.util.List;

/** The API's sign-in, websocket ticket, user, key and audit operations. */
final class SecurityApi {
  private final AsyncDb db;
  private final Accounts accounts;
  private final Tokens tokens;
  private final Tickets tickets;
  private final AuditTrail audit;
  private final JsonObject about;

  SecurityApi(AsyncDb db, Accounts accounts, Tokens tokens, Tickets tickets, AuditTrail audit, JsonObject about) {
    this.db = db;
    this.accounts = accounts;
    this.tokens = tokens;
    this.tickets = tickets;
    this.audit = audit;
    this.about = about;
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("about").addHandler(ctx -> HttpVerticle.json(ctx, 200, about));
    builder.getRoute("login").addHandler(this::login);
    builder.getRoute("refreshToken").addHandler(this::refresh);
    builder.getRoute("me").addHandler(ctx -> HttpVerticle.json(ctx, 200, ApiGuard.principal(ctx).toJson()));
    builder.getRoute("changePassword").addHandler(this::changePassword);
    builder.getRoute("wsTicket").addHandler(ctx -> db.run(() -> tickets.issue(ApiGuard.principal(ctx)))
        .onSuccess(t -> HttpVerticle.json(ctx, 200, new JsonObject().put("ticket", t)
            .put("expiresIn", Tickets.LIFETIME.toSeconds())))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("listUsers").addHandler(ctx -> db.run(accounts::users)
        .onSuccess(users -> HttpVerticle.json(ctx, 200, new JsonObject().put("users", users)))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("createUser").addHandler(this::createUser);
    builder.getRoute("listApiKeys").addHandler(ctx -> db.run(accounts::keys)
        .onSuccess(keys -> HttpVerticle.json(ctx, 200, new JsonObject().put("keys", keys)))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("createApiKey").addHandler(this::createKey);
    builder.getRoute("revokeApiKey").addHandler(ctx -> db.run(() -> accounts.revokeKey(ctx.pathParam("id")))
        .onSuccess(done -> {
          if (done) {
            HttpVerticle.json(ctx, 200, new JsonObject().put("id", ctx.pathParam("id")).put("revoked", true));
          } else {
            Failures.respond(ctx, ErrorCode.NOT_FOUND, "no active key with id '" + ctx.pathParam("id") + "'", "id");
          }
        })
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("verifyAudit").addHandler(ctx -> audit.flush()
        .compose(v -> db.run(audit::verify))
        .onSuccess(r -> HttpVerticle.json(ctx, 200, new JsonObject().put("intact", r.intact()).put("rows", r.chain().rows())
            .put("headHash", r.chain().headHash()).put("problems", new JsonArray(r.problems()))
            .put("notes", new JsonArray(r.notes())).put("checkpoints", r.checkpoints())))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("auditCheckpoint").addHandler(this::checkpoint);
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

  private void login(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String username = body.getString("username");
    db.run(() -> accounts.login(username, body.getString("password"))).onSuccess(found -> {
      String ip = ApiGuard.origin(ctx);
      if (found.isEmpty()) {
        audit.record(new Audit.Entry("anonymous", ip, "login", "user:" + username, "401", "wrong username or password"));
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
        Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "the username or password is wrong", null);
        return;
      }
      Principal p = found.get();
      audit.record(new Audit.Entry(p.actor(), ip, "login", "user:" + username, "200", ""));
      HttpVerticle.json(ctx, 200, signedIn(p));
    }).onFailure(t -> Failures.respond(ctx, t));
  }

  private JsonObject signedIn(Principal p) {
    return new JsonObject().put("accessToken", tokens.issue(p)).put("tokenType", "Bearer")
        .put("expiresIn", tokens.expiresInSeconds()).put("user", p.toJson());
  }

  /** A wall screen stays signed in by trading its token for a fresh one before it expires. */
  private void refresh(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    if (p.kind() != Principal.Kind.USER) {
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "a machine key has no token to refresh", null);
      return;
    }
    db.run(() -> accounts.current(p)).onSuccess(now -> {
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
    db.run(() -> {
      accounts.changePassword(p, body.getString("currentPassword"), body.getString("newPassword"));
      return null;
    }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(t -> Failures.respond(ctx, t));
  }

  private void createUser(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String actor = ApiGuard.principal(ctx).actor();
    db.run(() -> accounts.createUser(body.getString("username"), body.getString("password"),
            Role.of("role", body.getString("role")), strings(body.getJsonArray("facilities")), actor))
        .onSuccess(p -> HttpVerticle.json(ctx, 201, p.toJson()))
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private void createKey(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String actor = ApiGuard.principal(ctx).actor();
    db.run(() -> accounts.createKey(body.getString("name"), Role.of("role", body.getString("role")),
            strings(body.getJsonArray("facilities")), actor))
        .onSuccess(k -> HttpVerticle.json(ctx, 201, k.principal().toJson().put("key", k.key())))
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private static List<String> strings(JsonArray a) {
    return a.stream().map(String::valueOf).toList();
  }
}
