package io.muster.notify.sim;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The filters of Twilio's message list: To, From, and DateSent with its inequalities. Twilio writes
 * them {@code DateSent>=…} and {@code DateSent<=…}, which a query-string parser reads as the names
 * {@code DateSent>} and {@code DateSent<}; the SDK sends exactly that. A value is a date
 * ({@code 2024-05-01}, the whole UTC day) or a UTC date-time ({@code 2024-05-01T12:00:00}, optional Z).
 */
final class ListFilter {

  static final List<String> NAMES = List.of("To", "From", "DateSent", "DateSent>", "DateSent<");

  private ListFilter() {}

  /** The filter the query asks for, or empty when one of its values cannot be read. */
  static Optional<Predicate<SimMessage>> from(MultiMap query) {
    try {
      Predicate<SimMessage> filter = m -> true;
      filter = filter.and(number(query.get("To"), SimMessage::to));
      filter = filter.and(number(query.get("From"), SimMessage::from));
      filter = filter.and(sentOn(query.get("DateSent")));
      filter = filter.and(sentFrom(query.get("DateSent>")));
      filter = filter.and(sentUntil(query.get("DateSent<")));
      return Optional.of(filter);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Predicate<SimMessage> number(String raw, Function<SimMessage, String> field) {
    if (raw == null) {
      return m -> true;
    }
    String number = Phones.parse(raw).orElseThrow(() -> new IllegalArgumentException("not E.164"));
    return m -> number.equals(field.apply(m));
  }

  private static Predicate<SimMessage> sentOn(String raw) {
    if (raw == null) {
      return m -> true;
    }
    return isDate(raw) ? sentFrom(raw).and(sentUntil(raw)) : m -> sent(m).equals(instant(raw, false));
  }

  private static Predicate<SimMessage> sentFrom(String raw) {
    if (raw == null) {
      return m -> true;
    }
    Instant bound = instant(raw, false);
    return m -> m.dateSent() != null && !sent(m).isBefore(bound);
  }

  private static Predicate<SimMessage> sentUntil(String raw) {
    if (raw == null) {
      return m -> true;
    }
    Instant bound = instant(raw, true);
    return m -> m.dateSent() != null && !sent(m).isAfter(bound);
  }

  private static Instant sent(SimMessage m) {
    return m.dateSent() == null ? Instant.EPOCH : TwilioApi.seconds(m.dateSent());
  }

  /** A date stands for its first second, or its last one for an upper bound. */
  private static Instant instant(String raw, boolean endOfDay) {
    String value = raw.strip();
    if (isDate(value)) {
      LocalDate day = LocalDate.parse(value);
      return endOfDay ? day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1)
          : day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    String local = value.endsWith("Z") ? value.substring(0, value.length() - 1) : value;
    return TwilioApi.seconds(LocalDateTime.parse(local).toInstant(ZoneOffset.UTC));
  }

  private static boolean isDate(String value) {
    return value.strip().length() == "yyyy-MM-dd".length();
  }
}
