package io.muster.sim;

import java.util.Optional;
import java.util.regex.Pattern;

/** E.164 numbers as they arrive in paths and query strings. */
final class Phones {

  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

  private Phones() {}

  /**
   * The number in {@code raw}, or empty if it is not E.164. Accepts the forms a decoded "+" can
   * take: "+1555…" (path or %2B), " 1555…" (a query string's unencoded "+" decoded as a space) and
   * "1555…".
   */
  static Optional<String> parse(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String digits = raw.strip();
    String number = digits.startsWith("+") ? digits : "+" + digits;
    return E164.matcher(number).matches() ? Optional.of(number) : Optional.empty();
  }
}
