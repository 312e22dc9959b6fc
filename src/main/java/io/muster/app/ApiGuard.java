package io.muster.app;

import io.muster.web.Failures;
import io.muster.common.ErrorCode;
import io.muster.security.AuditTrail;
import io.muster.security.Principal;
import io.muster.security.RateLimiter;
import io.muster.security.RefusalLog;
import io.muster.security.Role;
import io.muster.security.Sessions;
import io.muster.store.Audit;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import java.util.Set;

/**
 * The gate in front of every API handler. It is the first handler of each operation's route, so it
 * judges the route that will actually run, not the path as typed: the request's path must be the
 * operation's one spelling (no trailing or doubled slash, dot segment, matrix parameter, encoded
 * slash or needlessly encoded character: anything else is "no such path"), the caller must be
 * signed in (a bearer token or a machine key, as the database says now) unless the operation is
 * public, within their rate, and hold the role {@code openapi.yaml} names with
 * {@code x-muster-role} (an operation without one needs an admin). Only then does the request
 * reach the body check, the contract's validation and the handler. Commands and refusals go to the
 * audit trail; refusals anyone can cause for free are counted per address ({@link RefusalLog}).
 */
public final class ApiGuard {
  public static final String PRINCIPAL = "muster.principal";
  static final String CALLER = "muster.caller";
  private static final String ADDRESS = "muster.address";
  /** Set by a handler to name what its command changed, for the audit row (target, detail). */
  static final String AUDIT_TARGET = "muster.audit.target";
  static final String AUDIT_DETAIL = "muster.audit.detail";
  private static final String ROLE = "x-muster-role";
  /** What a user whose password was reset may still do: see who they are, change it, sign out. */
  private static final Set<String> BEFORE_NEW_PASSWORD = Set.of("me", "changePassword", "logout");

  private final Sessions sessions;
  private final RateLimiter perCaller;
  private final RateLimiter logins;
  private final RateLimiter anonymous;
  private final AuditTrail audit;
  private final RefusalLog refusals;
  private final ClientAddress addresses;

  ApiGuard(Sessions sessions, RateLimiter perCaller, RateLimiter logins, RateLimiter anonymous, AuditTrail audit,
           RefusalLog refusals, ClientAddress addresses) {
    this.sessions = sessions;
    this.perCaller = perCaller;
    this.logins = logins;
    this.anonymous = anonymous;
    this.audit = audit;
    this.refusals = refusals;
    this.addresses = addresses;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  static Sessions.Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** The first handler of {@code op}'s route. */
  Handler<RoutingContext> guard(Operation op) {
    Object needed = op.getExtensions().get(ROLE);
    if ("public".equals(needed)) {
      RateLimiter limiter = "login".equals(op.getOperationId()) ? logins : perCaller;
      return ctx -> {
        if (canonical(ctx) && withinRate(ctx, limiter, "ip:" + origin(ctx))) {
          ctx.next();
        }
      };
    }
    Role role = needed instanceof String r ? Role.of(ROLE, r) : Role.ADMIN;
    return ctx -> {
      if (!canonical(ctx)) {
        return;
      }
      String ip = origin(ctx);
      long wait = anonymous.waitSeconds("ip:" + ip);
      if (wait > 0) {
        tooMany(ctx, wait);
        return;
      }
      sessions.authenticate(ctx.request().getHeader("Authorization"), ctx.request().getHeader("X-API-Key"))
          .onComplete(ar -> {
            if (ar.failed() || ar.result() == null) {
              unauthenticated(ctx, ip, op, ar.failed() ? ar.cause().getMessage()
                  : "sign in first: send Authorization: Bearer <token> (from POST /api/v1/auth/login) or X-API-Key");
            } else {
              authorised(ctx, ip, op, role, ar.result());
            }
          });
    };
  }

  private void authorised(RoutingContext ctx, String ip, Operation op, Role role, Sessions.Caller caller) {
    Principal p = caller.principal();
    if (!withinRate(ctx, perCaller, p.kind() + ":" + p.id())) {
      return;
    }
    if (!p.role().atLeast(role)) {
      refuse(ctx, p, ErrorCode.FORBIDDEN, "this needs the " + role.id() + " role; " + p.name() + " is a " + p.role().id());
      return;
    }
    if (caller.mustChangePassword() && !BEFORE_NEW_PASSWORD.contains(op.getOperationId())) {
      refuse(ctx, p, ErrorCode.FORBIDDEN, "change your password first: POST /api/v1/auth/password");
      return;
    }
    ctx.put(PRINCIPAL, p);
    ctx.put(CALLER, caller);
    if (ctx.request().method() != HttpMethod.GET) {
      ctx.addEndHandler(v -> audit.record(new Audit.Entry(p.actor(), ip, op.getOperationId(),
          ctx.get(AUDIT_TARGET) != null ? ctx.get(AUDIT_TARGET) : ctx.request().path(),
          Integer.toString(ctx.response().getStatusCode()), ctx.get(AUDIT_DETAIL))));
    }
    ctx.next();
  }

  /**
   * For routes outside the API that take credentials of their own (the live stream's ticket):
   * true, having answered 429, when the address has spent its budget of refusals.
   */
  boolean overBudget(RoutingContext ctx, String ip) {
    long wait = anonymous.waitSeconds("ip:" + ip);
    if (wait > 0) {
      tooMany(ctx, wait);
      return true;
    }
    return false;
  }

  /** Such a route refused the address's credentials: it counts against the address's budget. */
  void spend(String ip) {
    anonymous.take("ip:" + ip);
  }

  /** No or bad credentials: 401, counted per address; an address past its budget gets 429 instead. */
  private void unauthenticated(RoutingContext ctx, String ip, Operation op, String reason) {
    long wait = anonymous.take("ip:" + ip);
    if (wait > 0) {
      tooMany(ctx, wait);
      return;
    }
    refusals.refused(ip, "authenticate for " + op.getOperationId(), "401", reason);
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
    Failures.respond(ctx, ErrorCode.UNAUTHORIZED, reason, null);
  }

  /**
   * Whether the path is the operation's one spelling; otherwise answers "no such path" (the same
   * 404 as a path no route has) and returns false.
   */
  private boolean canonical(RoutingContext ctx) {
    String path = ctx.request().path();
    if (canonical(path) && path.equals(ctx.normalizedPath())) {
      ctx.put(ADDRESS, addresses.of(ctx.request()));
      return true;
    }
    String ip = addresses.of(ctx.request());
    ctx.put(ADDRESS, ip);
    refusals.refused(ip, "no such path", "404", ctx.request().method() + " " + path);
    HttpVerticle.noSuchPath(ctx);
    return false;
  }

  /**
   * A path as the API spells it: starts with '/', has no empty, '.' or '..' segment and no trailing
   * slash, no ';' or '\', and percent-encodes only what must be (never a letter, digit, "-._~", '/'
   * or '\'), with valid escapes.
   */
  static boolean canonical(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/' || (path.length() > 1 && path.endsWith("/"))
        || path.contains("//") || path.indexOf(';') >= 0 || path.indexOf('\\') >= 0) {
      return false;
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()) {
        return false;
      }
      int c;
      try {
        c = Integer.parseInt(path.substring(i + 1, i + 3), 16);
      } catch (NumberFormatException e) {
        return false;
      }
      boolean unreserved = Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' || c == '_' || c == '~';
      if (unreserved || c == '/' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private boolean withinRate(RoutingContext ctx, RateLimiter limiter, String key) {
    long wait = limiter.take(key);
    if (wait == 0) {
      return true;
    }
    tooMany(ctx, wait);
    return false;
  }

  /** A flood over the rate limit is not written row by row. */
  private static void tooMany(RoutingContext ctx, long wait) {
    ctx.response().putHeader("Retry-After", Long.toString(wait));
    Failures.respond(ctx, ErrorCode.TOO_MANY_REQUESTS, "too many requests; try again in " + wait + " s", null);
  }

  /** A refusal of who may do what, by a signed-in caller: kept row by row. */
  private void refuse(RoutingContext ctx, Principal p, ErrorCode code, String message) {
    audit.record(new Audit.Entry(p.actor(), origin(ctx), ctx.request().method() + " " + ctx.request().path(), null,
        Integer.toString(code.status()), message));
    Failures.respond(ctx, code, message, null);
  }

  /** The client's address as the gate resolved it (see {@link ClientAddress}). */
  static String origin(RoutingContext ctx) {
    return ctx.get(ADDRESS);
  }
}
