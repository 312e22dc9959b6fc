package io.muster.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Access tokens: JWTs signed with HS256 and nothing else (a token naming another algorithm,
 * {@code none} included, is refused before its signature is looked at), with issuer, audience and
 * expiry checked on every request.
 */
public final class Tokens {
  static final String ALGORITHM = "HS256";
  static final String AUDIENCE = "muster-api";

  private final JWTAuth jwt;
  private final JWTOptions options;
  private final int minutes;

  public Tokens(Vertx vertx, String secret, String issuer, int minutes) {
    if (secret == null || secret.length() < 32) {
      throw new IllegalArgumentException("configuration: the token signing secret must be at least 32 characters");
    }
    this.minutes = minutes;
    this.options = new JWTOptions().setAlgorithm(ALGORITHM).setIssuer(issuer).setAudience(List.of(AUDIENCE))
        .setExpiresInMinutes(minutes);
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
        .setJWTOptions(new JWTOptions().setIssuer(issuer).setAudience(List.of(AUDIENCE))));
  }

  public int expiresInSeconds() {
    return minutes * 60;
  }

  /** The claims Muster reads from a verified token: whose it is and which token version it carries. */
  public record Claims(String userId, int version) { }

  /** A token for the user as stored now; it stops working when the user's token version moves on. */
  public String issue(Accounts.Standing s) {
    Principal p = s.principal();
    return jwt.generateToken(new JsonObject().put("sub", p.id()).put("name", p.name()).put("role", p.role().id())
        .put("fac", new JsonArray(p.facilities())).put("ver", s.version()), options);
  }

  /**
   * The claims of a valid token; fails with a reason for any other token (a wrong algorithm, a bad
   * signature, issuer, audience or expiry, or claims of the wrong shape), never with an exception.
   */
  public Future<Claims> verify(String token) {
    String alg = algorithm(token);
    if (!ALGORITHM.equals(alg)) {
      return Future.failedFuture("the token's algorithm must be " + ALGORITHM);
    }
    JsonObject claims = part(token, 1);
    if (claims == null || !(claims.getValue("exp") instanceof Number)) {
      return Future.failedFuture("the token has no valid expiry");
    }
    if (!(claims.getValue("sub") instanceof String sub) || !(claims.getValue("ver") instanceof Integer ver)) {
      return Future.failedFuture("the token's claims are incomplete");
    }
    try {
      // The signature, issuer, audience and expiry are checked here; the claims above are the payload.
      return jwt.authenticate(new TokenCredentials(token)).map(user -> new Claims(sub, ver))
          .recover(t -> Future.failedFuture(t.getMessage() == null ? "the token is not valid" : t.getMessage()));
    } catch (RuntimeException e) {
      return Future.failedFuture("the token is not valid");
    }
  }

  private static String algorithm(String token) {
    JsonObject header = part(token, 0);
    return header == null ? null : header.getString("alg");
  }

  private static JsonObject part(String token, int index) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
