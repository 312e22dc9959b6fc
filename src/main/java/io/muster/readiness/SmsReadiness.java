package io.muster.readiness;

import io.muster.notify.port.Keywords;
import io.muster.readiness.domain.ReadinessKeywords;
import io.muster.roster.domain.Staff;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Readiness by SMS keyword (BEDS ICU 3, NURSES MEDSURG 6, ED DIVERSION, SYSTEM POWER DOWN) from reporters. */
public final class SmsReadiness implements Keywords {
  static final String HELP = "Readiness by SMS: BEDS ICU 3 (beds available), NURSES MEDSURG 6,"
      + " ED DIVERSION, SYSTEM POWER DOWN. Bed types: ICU MEDSURG BURN PICU PEDS PSYCH ISO OR VENT.";

  private final ReadinessService readiness;

  public SmsReadiness(ReadinessService readiness) {
    this.readiness = readiness;
  }

  @Override
  public Optional<Handled> handle(Connection c, Staff staff, String body, Instant now) throws SQLException {
    if (!ReadinessKeywords.looksLikeOne(body)) {
      return Optional.empty();
    }
    Optional<Map<String, String>> changes = ReadinessKeywords.parse(body);
    if (changes.isEmpty()) {
      return Optional.of(new Handled("readiness-not-understood", HELP, List.of()));
    }
    return Optional.of(readiness.smsUpdate(c, staff, changes.get(), now));
  }
}
