package io.muster.sim;

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
 * The filters of Twilio's list requests. Messages: To, From, and DateSent with its inequalities.
 * Calls: To, From (a number, or a client identifier as given), Status, ParentCallSid, and StartTime
 * and EndTime with their inequalities. Twilio writes the inequalities {@code DateSent>=…} and
 * {@code StartTime<=…}, which a query-string parser reads as the names {@code DateSent>} and
 * {@code StartTime<}; the SDK sends exactly that. A value is a date ({@code 2024-05-01}, the whole
 * UTC day) or a UTC date-time ({@code 2024-05-01T12:00:00}, optional Z), compared in whole seconds.
 * A resource without the date (a message not sent yet, a call not started or not ended) matches no
 * filter on it, as at Twilio.
 */
final class ListFilter {

  static final List<String> NAMES = List.of("To", "From", "DateSent", "DateSent>", "DateSent<");
  static final List<String> CALL_NAMES = List.of("To", "From", "Status", "ParentCallSid",
      "StartTime", "StartTime>", "StartTime<", "EndTime", "EndTime>", "EndTime<");

  private ListFilter() {}

  /** The message filter the query asks for, or empty when one of its values cannot be read. */
  static Optional<Predicate<SimMessage>> from(MultiMap query) {
    try {
      Predicate<SimMessage> filter = number(query.get("To"), SimMessage::to)
          .and(number(query.get("From"), SimMessage::from))
          .and(dates(query, "DateSent", SimMessage::dateSent));
      return Optional.of(filter);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The call filter the query asks for, or empty when one of its values cannot be read. */
  static Optional<Predicate<SimCall>> calls(MultiMap query) {
    try {
      String from = query.get("From");
      String fromNumber = from == null ? null : Phones.parse(from).orElse(from.strip());
      String status = query.get("Status");
      String parent = query.get("ParentCallSid");
      Predicate<SimCall> filter = number(query.get("To"), SimCall::to)
          .and(c -> fromNumber == null || fromNumber.equals(c.from()))
          .and(c -> status == null || status.equals(c.status()))
          .and(c -> parent == null) // calls placed through the API have no parent call
          .and(dates(query, "StartTime", SimCall::startTime))
          .and(dates(query, "EndTime", SimCall::endTime));
      return Optional.of(filter);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static <T> Predicate<T> number(String raw, Function<T, String> field) {
    if (raw == null) {
      return m -> true;
    }
    String number = Phones.parse(raw).orElseThrow(() -> new IllegalArgumentException("not E.164"));
    return m -> number.equals(field.apply(m));
  }

  /** {@code name} (that day, or that second), {@code name>} (on or after) and {@code name<} (on or before). */
  private static <T> Predicate<T> dates(MultiMap query, String name, Function<T, Instant> field) {
    return on(query.get(name), field)
        .and(bound(query.get(name + ">"), field, false))
        .and(bound(query.get(name + "<"), field, true));
  }

  private static <T> Predicate<T> on(String raw, Function<T, Instant> field) {
    if (raw == null) {
      return m -> true;
    }
    if (isDate(raw)) {
      return ListFilter.<T>bound(raw, field, false).and(bound(raw, field, true));
    }
    Instant at = instant(raw, false);
    return m -> field.apply(m) != null && TwilioApi.seconds(field.apply(m)).equals(at);
  }

  /** On or after {@code raw}, or on or before it when {@code upper}. */
  private static <T> Predicate<T> bound(String raw, Function<T, Instant> field, boolean upper) {
    if (raw == null) {
      return m -> true;
    }
    Instant bound = instant(raw, upper);
    return m -> {
      Instant value = field.apply(m);
      if (value == null) {
        return false;
      }
      Instant seconds = TwilioApi.seconds(value);
      return upper ? !seconds.isAfter(bound) : !seconds.isBefore(bound);
    };
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
