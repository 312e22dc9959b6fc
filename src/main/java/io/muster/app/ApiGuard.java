package io.muster.app;

import io.muster.common.ErrorCode;
import io.muster.security.Accounts;
import io.muster.security.AuditTrail;
import io.muster.security.Principal;
import io.muster.security.RateLimiter;
import io.muster.security.Role;
import io.muster.security.Tokens;
import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

/**
 * Every API request passes here before anything reads its body: who is asking (a bearer token or
 * a machine key), whether they are within their rate, and whether their role may run the operation,
 * which {@code openapi.yaml} names with {@code x-muster-role} (an operation without it needs an
 * admin). Commands and refusals go to the audit trail once answered.
 */
public final class ApiGuard {
  public static final String PRINCIPAL = "muster.principal";
  private static final String ROLE = "x-muster-role";

  private final OpenAPIContract contract;
  private final Tokens tokens;
  private final Accounts accounts;
  private final AsyncDb db;
  private final RateLimiter perCaller;
  private final RateLimiter logins;
  private final AuditTrail audit;

  public ApiGuard(OpenAPIContract contract, Tokens tokens, Accounts accounts, AsyncDb db, RateLimiter perCaller,
                  RateLimiter logins, AuditTrail audit) {
    this.contract = contract;
    this.tokens = tokens;
    this.accounts = accounts;
    this.db = db;
    this.perCaller = perCaller;
    this.logins = logins;
    this.audit = audit;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  public void handle(RoutingContext ctx) {
    Operation op = contract.findOperation(ctx.request().path(), ctx.request().method());
    if (op == null) {
      ctx.next();
      return;
    }
    Object needed = op.getExtensions().get(ROLE);
    String ip = origin(ctx);
    if ("public".equals(needed)) {
      RateLimiter limiter = "login".equals(op.getOperationId()) ? logins : perCaller;
      if (withinRate(ctx, limiter, "ip:" + ip, null)) {
        ctx.next();
      }
      return;
    }
    Role role = needed instanceof String r ? Role.of(ROLE, r) : Role.ADMIN;
    authenticate(ctx).onComplete(ar -> {
      if (ar.failed() || ar.result() == null) {
        String reason = ar.failed() ? ar.cause().getMessage() : "sign in first: send Authorization: Bearer <token>"
            + " (from POST /api/v1/auth/login) or X-API-Key";
        refuse(ctx, null, ErrorCode.UNAUTHORIZED, reason);
        return;
      }
      Principal p = ar.result();
      if (!withinRate(ctx, perCaller, p.kind() + ":" + p.id(), p)) {
        return;
      }
      if (!p.role().atLeast(role)) {
        refuse(ctx, p, ErrorCode.FORBIDDEN, "this needs the " + role.id() + " role; " + p.name() + " is a " + p.role().id());
        return;
      }
      ctx.put(PRINCIPAL, p);
      if (ctx.request().method() != HttpMethod.GET) {
        ctx.addEndHandler(v -> audit.record(new Audit.Entry(p.actor(), ip, op.getOperationId(), ctx.request().path(),
            Integer.toString(ctx.response().getStatusCode()), "")));
      }
      ctx.next();
    });
  }

  private Future<Principal> authenticate(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    String key = ctx.request().getHeader("X-API-Key");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Future.failedFuture("the Authorization header must be 'Bearer <token>'");
      }
      return tokens.verify(authorization.substring(7).strip())
          .recover(t -> Future.failedFuture("the access token is not valid (" + t.getMessage() + "); sign in again"));
    }
    if (key != null) {
      return db.run(() -> accounts.key(key.strip()).orElse(null))
          .compose(p -> p == null ? Future.failedFuture("the API key is not valid or was revoked") : Future.succeededFuture(p));
    }
    return Future.succeededFuture(null);
  }

  private boolean withinRate(RoutingContext ctx, RateLimiter limiter, String key, Principal p) {
    long wait = limiter.take(key);
    if (wait == 0) {
      return true;
    }
    ctx.response().putHeader("Retry-After", Long.toString(wait));
    refuse(ctx, p, ErrorCode.TOO_MANY_REQUESTS, "too many requests; try again in " + wait + " s");
    return false;
  }

  private void refuse(RoutingContext ctx, Principal p, ErrorCode code, String message) {
    if (code == ErrorCode.UNAUTHORIZED) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
    }
    if (code != ErrorCode.TOO_MANY_REQUESTS) {
      // Refusals of who may do what are kept; a flood over the rate limit is not written row by row.
      audit.record(new Audit.Entry(p == null ? "anonymous" : p.actor(), origin(ctx),
          ctx.request().method() + " " + ctx.request().path(), null, Integer.toString(code.status()), message));
    }
    Failures.respond(ctx, code, message, null);
  }

  static String origin(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().host();
  }
}
