package io.muster.security;

import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Websocket tickets: a browser cannot put a token in a websocket's headers, so it trades its token
 * for a ticket that is good once, for a few seconds, on any node. Blocking (run on a worker).
 */
public final class Tickets {
  public static final Duration LIFETIME = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Db db;
  private final Clock clock;

  public Tickets(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Who redeemed a ticket, and (a user) the token version they were signed in with. */
  public record Holder(Principal principal, Integer tokenVersion) { }

  public String issue(Principal p, Integer tokenVersion) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = clock.instant();
    db.tx(c -> {
      Db.update(c, "DELETE FROM ws_ticket WHERE expires_at < ?", Db.ts(now));
      return Db.update(c, "INSERT INTO ws_ticket (ticket, principal, expires_at) VALUES (?, ?, ?)",
          ticket, p.toJson().put("tokenVersion", tokenVersion).encode(), Db.ts(now.plus(LIFETIME)));
    });
    return ticket;
  }

  /** The ticket's principal, once: a second use, or a use after it expired, finds nothing. */
  public Optional<Holder> redeem(String ticket) {
    if (ticket == null || !ticket.matches("[A-Za-z0-9_-]{43}")) {
      return Optional.empty();
    }
    return db.tx(c -> {
      String principal;
      Instant expires;
      try (PreparedStatement ps = c.prepareStatement("SELECT principal, expires_at FROM ws_ticket WHERE ticket = ? FOR UPDATE")) {
        ps.setString(1, ticket);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          principal = rs.getString(1);
          expires = Db.instant(rs.getObject(2));
        }
      }
      if (Db.update(c, "DELETE FROM ws_ticket WHERE ticket = ?", ticket) != 1 || expires.isBefore(clock.instant())) {
        return Optional.empty();
      }
      JsonObject holder = new JsonObject(principal);
      return Optional.of(new Holder(Principal.fromJson(holder), holder.getInteger("tokenVersion")));
    });
  }
}
